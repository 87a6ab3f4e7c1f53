// @ts-check
// Which BAI server each version of the mini-program talks to. WeChat tells the version apart:
// 开发版 (develop, DevTools and 真机调试) uses the local server `npm start` (or `npm run start:simulator`)
// serves in the repository; 体验版 (trial) and 正式版 (release) use the production server of
// spec/openapi.yaml, over https: WeChat refuses any other for them, and a phone cannot reach 127.0.0.1.
// On a phone, the develop version needs your computer's LAN address here instead (and "不校验合法域名").

const PRODUCTION_BASE_URL = "https://bai-api.blv-oa.com/pb";

/** @type {Record<"develop" | "trial" | "release", string>} */
const BASE_URLS = {
  develop: "http://127.0.0.1:8090",
  trial: PRODUCTION_BASE_URL,
  release: PRODUCTION_BASE_URL,
};

/**
 * The base URL for a version; an unknown one gets the production server, never a local address.
 * @param {string} envVersion
 * @returns {string}
 */
function baseUrlFor(envVersion) {
  return envVersion === "develop" || envVersion === "trial" ? BASE_URLS[envVersion] : BASE_URLS.release;
}

/** The base URL for the version that is running. */
function currentBaseUrl() {
  return baseUrlFor(wx.getAccountInfoSync().miniProgram.envVersion);
}

module.exports = { BASE_URLS, baseUrlFor, currentBaseUrl };
