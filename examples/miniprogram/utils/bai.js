// @ts-check
// One client for the whole app: every page shares its session, its single-flight login and refresh.
const { createClient } = require("bai-miniprogram-sdk");

module.exports = createClient({ baseUrl: "https://bai-api.blv-oa.com/pb" });
