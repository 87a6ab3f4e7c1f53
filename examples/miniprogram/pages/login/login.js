// @ts-check
const bai = require("../../utils/bai");
const { describeError } = require("../../utils/errors");

Page({
  data: { busy: false, error: "" },

  onLoad() {
    // A session restored from storage needs no new login.
    if (bai.user) wx.redirectTo({ url: "/pages/profile/profile" });
  },

  async onLogin() {
    this.setData({ busy: true, error: "" });
    try {
      await bai.login();
      wx.redirectTo({ url: "/pages/profile/profile" });
    } catch (error) {
      this.setData({ error: describeError(error) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
