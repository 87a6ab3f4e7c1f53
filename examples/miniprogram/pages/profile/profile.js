// @ts-check
const bai = require("../../utils/bai");
const { describeError } = require("../../utils/errors");
const privacy = require("../../utils/privacy");

/** @param {import("bai-miniprogram-sdk").UserInfo | null} user */
const fromUser = (user) => ({ name: user ? user.users_name : "", picture: user ? user.users_picture : "", phoneMasked: user ? user.users_phone_masked : "" });

Page({
  data: { name: "", picture: "", phoneMasked: "", busy: false, error: "", privacyPopup: false },
  stopWatchingSession: () => {},

  onLoad() {
    this.stopWatchingSession = bai.onChange((_token, user) => this.setData(fromUser(user)));
    bai.ensureLogin().then(
      (user) => this.setData(fromUser(user)),
      (error) => this.setData({ error: describeError(error) }),
    );
  },

  onShow() {
    privacy.watchPrivacy(this);
  },

  onUnload() {
    this.stopWatchingSession();
  },

  onAgreePrivacy() {
    privacy.answerPrivacy(this, true);
  },

  onDisagreePrivacy() {
    privacy.answerPrivacy(this, false);
  },

  onOpenPrivacyContract() {
    privacy.openPrivacyContract();
  },

  onNameFocus() {
    privacy.requirePrivacy();
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

  /** Saves the nickname and avatar alone: no phone prompt, and WeChat's billed phone API is not called. */
  async onSave() {
    /** @type {import("bai-miniprogram-sdk").ProfileUpdate} */
    const update = {};
    if (this.data.name) update.name = this.data.name;
    if (this.data.picture) update.picture = this.data.picture;
    if (!update.name && !update.picture) return this.setData({ error: "请填写昵称或选择头像" });
    await this.save(update);
  },

  /** @param {WechatMiniprogram.CustomEvent<{ code?: string, errMsg: string }>} event */
  async onGetPhoneNumber(event) {
    // No code: the user declined to share the number.
    if (!event.detail.code) return;
    await this.save({ name: this.data.name, phoneCode: event.detail.code, picture: this.data.picture });
  },

  /** @param {import("bai-miniprogram-sdk").ProfileUpdate} update */
  async save(update) {
    this.setData({ busy: true, error: "" });
    try {
      await bai.updateProfile(update);
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
