import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import { asStore, MemoryStore } from "../test-doubles";
import type { WebAuthorization } from "./client";
import { WechatErrcodeError, WechatNetworkError } from "./errors";
import { grantsUserInfo, webSignIn } from "./web-login";

// A WeChat whose sns/oauth2/access_token answers `authorization` (or throws it), and whose
// sns/userinfo gives `userInfoUnionid`; calls are counted.
function fakeWechat(authorization: Partial<WebAuthorization> | Error, userInfoUnionid = "") {
  const calls = { token: 0, userInfo: [] as Array<[string, string]> };
  return {
    calls,
    webCodeToAccessToken() {
      calls.token += 1;
      if (authorization instanceof Error) throw authorization;
      return { openid: "o_oa", unionid: "", scopes: ["snsapi_base"], snapshotUser: false, snsAccessToken: "SNS", ...authorization };
    },
    webUserInfo(token: string, openid: string) {
      calls.userInfo.push([token, openid]);
      return { openid, unionid: userInfoUnionid };
    },
  };
}

const failureOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as ApiFailure;
  }
  throw new Error("expected a failure");
};

describe("grantsUserInfo", () => {
  it.each([
    [["snsapi_base"], false],
    [["snsapi_userinfo"], true],
    [["snsapi_login"], true],
    [["snsapi_base", "snsapi_userinfo"], true],
    [[], false],
  ])("%j → %s", (scopes, expected) => {
    expect(grantsUserInfo(scopes)).toBe(expected);
  });
});

describe("webSignIn", () => {
  it("a silent snsapi_base login: the openid, no unionid, and it may not register a user", () => {
    const wechat = fakeWechat({ scopes: ["snsapi_base"] });
    expect(webSignIn(wechat, "c", asStore(new MemoryStore()))).toEqual({ openid: "o_oa", unionid: "", mayRegister: false });
    expect(wechat.calls.userInfo).toEqual([]);
  });

  it("takes the unionid that came with the token, without asking sns/userinfo", () => {
    const wechat = fakeWechat({ scopes: ["snsapi_userinfo"], unionid: "u1" });
    expect(webSignIn(wechat, "c", asStore(new MemoryStore()))).toEqual({ openid: "o_oa", unionid: "u1", mayRegister: true });
    expect(wechat.calls.userInfo).toEqual([]);
  });

  it("asks sns/userinfo with the user's token when the scope allows it and no unionid came", () => {
    const wechat = fakeWechat({ scopes: ["snsapi_login"] }, "u2");
    expect(webSignIn(wechat, "c", asStore(new MemoryStore()))).toEqual({ openid: "o_oa", unionid: "u2", mayRegister: true });
    expect(wechat.calls.userInfo).toEqual([["SNS", "o_oa"]]);
  });

  it("registers a user granted userinfo even without a unionid (an app not bound to an open platform)", () => {
    expect(webSignIn(fakeWechat({ scopes: ["snsapi_userinfo"] }), "c", asStore(new MemoryStore())).mayRegister).toBe(true);
  });

  it("refuses a snapshot page's virtual account: 403 snapshot_user", () => {
    const wechat = fakeWechat({ scopes: ["snsapi_userinfo"], snapshotUser: true }, "u3");
    const failure = failureOf(() => webSignIn(wechat, "c", asStore(new MemoryStore())));
    expect(failure).toMatchObject({ status: 403, error: "snapshot_user" });
    expect(wechat.calls.userInfo).toEqual([]);
  });

  it("claims the code: the same code again is 429 without asking WeChat", () => {
    const store = asStore(new MemoryStore());
    const wechat = fakeWechat({});
    webSignIn(wechat, "c", store);
    expect(failureOf(() => webSignIn(wechat, "c", store)).status).toBe(429);
    expect(wechat.calls.token).toBe(1);
  });

  it("releases the code after a failure in transit; after WeChat's own answer a replay gets that answer again", () => {
    const store = asStore(new MemoryStore());
    expect(() => webSignIn(fakeWechat(new WechatNetworkError(true)), "lost", store)).toThrow(WechatNetworkError);
    expect(webSignIn(fakeWechat({}), "lost", store).openid).toBe("o_oa");
    expect(() => webSignIn(fakeWechat(new WechatErrcodeError(40163, "code been used", "sns_oauth2_access_token")), "used", store)).toThrow(WechatErrcodeError);
    const replay = fakeWechat({});
    expect(failureOf(() => webSignIn(replay, "used", store))).toMatchObject({ status: 400, data: { code: { code: "wechat_code_used" } } });
    expect(replay.calls.token).toBe(0);
  });
});
