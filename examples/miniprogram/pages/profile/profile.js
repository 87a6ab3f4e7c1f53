// @ts-check
const bai = require("../../utils/bai");
const { describeError } = require("../../utils/errors");

/** @param {import("bai-miniprogram-sdk").UserInfo | null} user */
const fromUser = (user) => ({ name: user ? user.users_name : "", picture: user ? user.users_picture : "", phoneMasked: user ? user.users_phone_masked : "" });

Page({
  data: { name: "", picture: "", phoneMasked: "", busy: false, error: "" },
  stopWatchingSession: () => {},

  onLoad() {
    this.stopWatchingSession = bai.onChange((_token, user) => this.setData(fromUser(user)));
    bai.ensureLogin().then(
      (user) => this.setData(fromUser(user)),
      (error) => this.setData({ error: describeError(error) }),
    );
  },

  onUnload() {
    this.stopWatchingSession();
  },

  /** @param {WechatMiniprogram.CustomEvent<{ avatarUrl: string }>} event */
  async onChooseAvatar(event) {
    try {
      // avatarUrl is a temporary file on the device: upload it to get a URL the profile can keep.
      this.setData({ picture: await bai.uploadAvatar(event.detail.avatarUrl), error: "" });
    } catch (error) {
      this.setData({ error: describeError(error) });
    }
  },

  /** @param {WechatMiniprogram.Input | WechatMiniprogram.InputBlur} event */
  onNameInput(event) {
    this.setData({ name: event.detail.value });
  },

  /** @param {WechatMiniprogram.CustomEvent<{ code?: string, errMsg: string }>} event */
  async onGetPhoneNumber(event) {
    // No code: the user declined to share the number.
    if (!event.detail.code) return;
    this.setData({ busy: true, error: "" });
    try {
      await bai.updateProfile({ name: this.data.name, phoneCode: event.detail.code, picture: this.data.picture });
      wx.showToast({ title: "已保存" });
    } catch (error) {
      this.setData({ error: describeError(error) });
    } finally {
      this.setData({ busy: false });
    }
  },

  async onLogout() {
    await bai.logout().catch(() => {});
    wx.redirectTo({ url: "/pages/login/login" });
  },
});
