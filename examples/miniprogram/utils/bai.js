// @ts-check
// One client for the whole app: every page shares its session, its single-flight login and refresh.
const { createClient } = require("bai-miniprogram-sdk");
const { currentBaseUrl } = require("./config");

module.exports = createClient({ baseUrl: currentBaseUrl() });
