// Where this page's BAI backend is, the 公众号's appid (one of WECHAT_APPS, kind official_account),
// and WeChat's authorize page (tests point it at the simulator).
window.BAI_H5 = {
  apiBase: "https://bai-api.blv-oa.com/pb",
  appid: "wx0a1b2c3d4e5f6a7b",
  authorizeBase: "https://open.weixin.qq.com",
};
