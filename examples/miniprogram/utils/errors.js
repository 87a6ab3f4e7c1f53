// @ts-check
const { BaiClientError } = require("bai-miniprogram-sdk");

/**
 * What to tell the user about a failed call: the field problems of a 400 one per line, else the message.
 * @param {unknown} error
 * @returns {string}
 */
function describeError(error) {
  if (!(error instanceof BaiClientError)) return "出错了,请稍后重试";
  if (error.isNetworkError) return "网络不可用,请稍后重试";
  const fields = Object.keys(error.fieldErrors).map((name) => error.fieldErrors[name].message);
  return fields.length > 0 ? fields.join("\n") : error.msg;
}

module.exports = { describeError };
