import { describe, expect, it } from "vitest";
import { apiFailureForWechatError, WechatErrcodeError, WechatHttpStatusError, WechatNetworkError, WechatUnreadableResponseError } from "./errors";

describe("apiFailureForWechatError", () => {
  it.each([
    ["40029 (invalid code)", new WechatErrcodeError(40029, ""), 400],
    ["40163 (code used)", new WechatErrcodeError(40163, ""), 400],
    ["40226 (blocked user)", new WechatErrcodeError(40226, ""), 400],
    ["45011 (rate limit)", new WechatErrcodeError(45011, ""), 429],
    ["-1 (busy)", new WechatErrcodeError(-1, ""), 502],
    ["40125 (wrong secret)", new WechatErrcodeError(40125, ""), 500],
    ["40013 (wrong appid)", new WechatErrcodeError(40013, ""), 500],
    ["an unknown errcode", new WechatErrcodeError(99999, ""), 502],
    ["an HTTP error", new WechatHttpStatusError(503), 502],
    ["an unreadable answer", new WechatUnreadableResponseError("x"), 502],
    ["an unreachable WeChat", new WechatNetworkError(false), 502],
    ["a timeout", new WechatNetworkError(true), 504],
  ])("answers %s with %i", (_, error, status) => {
    expect(apiFailureForWechatError(error, "users_wx_code").status).toBe(status);
  });

  it("names the rejected code's field", () => {
    expect(apiFailureForWechatError(new WechatErrcodeError(40163, ""), "users_phone_code").data).toEqual({
      users_phone_code: { code: "wechat_code_used", message: "微信 code 已被使用" },
    });
  });
});
