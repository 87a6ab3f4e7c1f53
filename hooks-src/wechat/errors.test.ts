import { describe, expect, it } from "vitest";
import {
  apiFailureForWechatError,
  WechatAccessTokenUnavailableError,
  WechatErrcodeError,
  WechatHttpStatusError,
  WechatNetworkError,
  WechatUnreadableResponseError,
} from "./errors";

describe("apiFailureForWechatError", () => {
  it.each([
    ["40029 (invalid code)", new WechatErrcodeError(40029, "", "jscode2session"), 400],
    ["40163 (code used)", new WechatErrcodeError(40163, "", "jscode2session"), 400],
    ["40226 (blocked user)", new WechatErrcodeError(40226, "", "jscode2session"), 400],
    ["40013 on getuserphonenumber (a phone code of another appid)", new WechatErrcodeError(40013, "", "getuserphonenumber"), 400],
    ["45011 (rate limit)", new WechatErrcodeError(45011, "", "getuserphonenumber"), 429],
    ["-1 (busy)", new WechatErrcodeError(-1, "", "getuserphonenumber"), 502],
    ["40125 (wrong secret)", new WechatErrcodeError(40125, "", "stable_token"), 500],
    ["40013 on stable_token (wrong appid)", new WechatErrcodeError(40013, "", "stable_token"), 500],
    ["40013 on jscode2session (wrong appid)", new WechatErrcodeError(40013, "", "jscode2session"), 500],
    ["40164 (IP not whitelisted)", new WechatErrcodeError(40164, "", "stable_token"), 500],
    ["89503 (IP awaits an administrator)", new WechatErrcodeError(89503, "", "stable_token"), 500],
    ["41002 (no appid)", new WechatErrcodeError(41002, "", "stable_token"), 500],
    ["41004 (no secret)", new WechatErrcodeError(41004, "", "stable_token"), 500],
    ["an unknown errcode", new WechatErrcodeError(99999, "", "getuserphonenumber"), 502],
    ["40029 on sns/oauth2/access_token (invalid 网页授权 code)", new WechatErrcodeError(40029, "", "sns_oauth2_access_token"), 400],
    ["40163 on sns/oauth2/access_token (used 网页授权 code)", new WechatErrcodeError(40163, "", "sns_oauth2_access_token"), 400],
    ["40125 on sns/oauth2/access_token (wrong secret in WECHAT_APPS)", new WechatErrcodeError(40125, "", "sns_oauth2_access_token"), 500],
    ["48001 on sns/userinfo (scope does not allow it)", new WechatErrcodeError(48001, "", "sns_userinfo"), 502],
    ["42001 on sns/userinfo (the user's token expired)", new WechatErrcodeError(42001, "", "sns_userinfo"), 502],
    ["an HTTP error", new WechatHttpStatusError(503), 502],
    ["an unreadable answer", new WechatUnreadableResponseError("x"), 502],
    ["an unreachable WeChat", new WechatNetworkError(false), 502],
    ["a timeout", new WechatNetworkError(true), 504],
    ["a forced refresh under way", new WechatAccessTokenUnavailableError("refreshing"), 503],
    ["the day's forced refreshes spent", new WechatAccessTokenUnavailableError("budget-spent"), 503],
  ])("answers %s with %i", (_, error, status) => {
    expect(apiFailureForWechatError(error, "users_wx_code").status).toBe(status);
  });

  it("names the rejected code's field", () => {
    expect(apiFailureForWechatError(new WechatErrcodeError(40163, "", "jscode2session"), "users_wx_code").data).toEqual({
      users_wx_code: { code: "wechat_code_used", message: "微信 code 已被使用" },
    });
    expect(apiFailureForWechatError(new WechatErrcodeError(40013, "", "getuserphonenumber"), "users_phone_code").data).toEqual({
      users_phone_code: { code: "wechat_code_wrong_app", message: "手机号 code 不属于本小程序" },
    });
  });

  it("tells the two 503s apart", () => {
    expect(apiFailureForWechatError(new WechatAccessTokenUnavailableError("refreshing"), "").msg).toBe("微信接口凭据正在刷新,请稍后重试");
    expect(apiFailureForWechatError(new WechatAccessTokenUnavailableError("budget-spent"), "").msg).toBe("微信接口凭据今日刷新次数已用尽,请稍后重试");
  });
});

describe("WechatErrcodeError's message, the line ops read in the log", () => {
  it.each([
    [40164, /IP is not in the mini-program's IP whitelist/],
    [89503, /wait for an administrator's confirmation/],
    [41002, /no appid: check WECHAT_APPID/],
    [41004, /no secret: check WECHAT_SECRET/],
    [40125, /WECHAT_SECRET is wrong/],
    [40013, /WECHAT_APPID is not a valid mini-program AppID/],
  ])("names what ops must fix for %i on stable_token", (errcode, cause) => {
    const error = new WechatErrcodeError(errcode, "whatever rid: 1-2-3", "stable_token");
    expect(error.message).toMatch(new RegExp(`^WeChat answered errcode ${errcode} on stable_token: `));
    expect(error.message).toMatch(cause);
    expect(error.message).toContain('(errmsg "whatever rid: 1-2-3")');
  });

  it.each([
    [40013, /the appid in WECHAT_APPS is not a valid 公众号 or 网站应用 AppID/],
    [40125, /the secret in WECHAT_APPS is wrong for this appid/],
  ])("names WECHAT_APPS for %i on sns/oauth2/access_token", (errcode, cause) => {
    expect(new WechatErrcodeError(errcode, "x", "sns_oauth2_access_token").message).toMatch(cause);
  });

  it("blames no configuration for a phone code of another appid", () => {
    expect(new WechatErrcodeError(40013, "invalid appid", "getuserphonenumber").message).toBe('WeChat answered errcode 40013 on getuserphonenumber (errmsg "invalid appid")');
  });
});
