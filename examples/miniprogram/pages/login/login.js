// @ts-check
const bai = require("../../utils/bai");
const { describeError } = require("../../utils/errors");
const { BaiClientError } = require("bai-miniprogram-sdk");

Page({
  // needsPhone: the server registers new people only by phone number (its registration policy), so
  // the page offers <button open-type="getPhoneNumber">; a person staff entered claims their account.
  data: { busy: false, error: "", needsPhone: false, pendingApproval: false },

  onLoad() {
    // A session restored from storage needs no new login.
    if (bai.user) wx.redirectTo({ url: "/pages/profile/profile" });
  },

  async onLogin() {
    await this.signIn(() => bai.login());
  },

  /** @param {WechatMiniprogram.CustomEvent<{ code?: string, errMsg: string }>} event */
  async onGetPhoneNumber(event) {
    // No code: the user declined to share the number.
    const phoneCode = event.detail.code;
    if (!phoneCode) return;
    await this.signIn(() => bai.phoneLogin(phoneCode));
  },

  /** @param {() => Promise<unknown>} attempt */
  async signIn(attempt) {
    this.setData({ busy: true, error: "" });
    try {
      await attempt();
      wx.redirectTo({ url: "/pages/profile/profile" });
    } catch (error) {
      const refused = error instanceof BaiClientError;
      this.setData({
        needsPhone: this.data.needsPhone || (refused && error.needsPhoneLogin),
        pendingApproval: refused && error.isPendingApproval,
        error: refused && error.needsPhoneLogin ? "请使用手机号登录" : describeError(error),
      });
    } finally {
      this.setData({ busy: false });
    }
  },
});
