// The 公众号 H5 and website login: a 网页授权 code, the same sign-in as a mini-program's, and one
// person across every app. A silent snsapi_base login never creates a user it could never join to
// the person's other apps (409 unionid_required), and a snapshot page's virtual account is refused.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, type ApiResponse } from "../support/api";
import { auditTrail, flatAuditRow } from "../support/audit-trail";
import { waitUntil } from "../support/lifecycle";
import { startWithSimulator } from "../support/pocketbase";
import { failureBody, failures, fieldProblem } from "../support/responses";
import { codes, OFFICIAL_ACCOUNT, openidIn, SECOND_MINIPROGRAM, simulator, uniqueName, WEBSITE, WECHAT_APP_ID } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

const oaLogin = (code: string, appid: string = OFFICIAL_ACCOUNT.appId) => client.post("/api/wechat/oa/login", { code, appid });
const miniProgramLogin = (name: string, appid?: string) => client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), ...(appid ? { appid } : {}) });
const identities = () => admin.pb.collection("tbl_user_identities");
const identitiesOf = (userId: string) => identities().getFullList({ filter: admin.pb.filter("user = {:userId}", { userId }), sort: "first_login" });
const countIdentities = async () => (await identities().getList(1, 1)).totalItems;
const userInfoCallsFor = async (openid: string) => (await wechat.calls("/sns/userinfo")).filter((call) => call.query.openid === openid);
const webCodeCalls = async () => (await wechat.stats()).sns_oauth2_access_token;

const unionidRequired = failureBody(409, "unionid_required", "需要用户授权(snsapi_userinfo)才能确认身份,请重新授权登录");
const snapshotRefused = failureBody(403, "snapshot_user", "朋友圈快照页不能登录,请点击「使用完整服务」后重试");

const trail = auditTrail();
async function auditEvents(filter: string, params: Record<string, unknown>) {
  return (await trail.find(admin.pb.filter(filter, params))).map(flatAuditRow);
}

// Runs a request and proves it created no user and no identity.
async function expectNothingWritten(send: () => Promise<unknown>) {
  const users = await admin.countUsers();
  const identityCount = await countIdentities();
  await send();
  expect(await admin.countUsers()).toBe(users);
  expect(await countIdentities()).toBe(identityCount);
}

describe("POST /api/wechat/oa/login", () => {
  it("registers a 公众号 user (snsapi_userinfo) and answers exactly like the mini-program's login", async () => {
    const name = uniqueName();
    const openid = openidIn(OFFICIAL_ACCOUNT.appId, name);
    const response = await oaLogin(codes.oaUserInfo(name));
    expect(response.status).toBe(200);
    expect(response.body.meta).toEqual({
      code: 200,
      msg: "注册成功",
      data: { status: "register_success", is_info_complete: false, deletion_cancelled: false, consents_required: [], user: expect.any(Object) },
    });
    const user = response.body.meta.data.user;
    expect(user).toMatchObject({ pb_id: response.body.record.id, users_type: "游客", openid: "" });
    expect(user.users_id).toMatch(/^U\d{12,}$/);
    expect(await identitiesOf(user.pb_id)).toEqual([expect.objectContaining({ kind: "official_account", appid: OFFICIAL_ACCOUNT.appId, openid, unionid: "" })]);
    // No unionid came with the token and the scope allows userinfo: it was asked, once.
    expect(await userInfoCallsFor(openid)).toHaveLength(1);
    // The token is PocketBase's own.
    const native = await fetch(`${client.baseUrl}/api/collections/tbl_auth_users/auth-refresh`, { method: "POST", headers: { authorization: response.body.token } });
    expect(native.status).toBe(200);
    await waitUntil(async () => (await auditEvents('event = "registration" && pb_id = {:pbId}', { pbId: user.pb_id })).length === 1);
    expect((await auditEvents('event = "registration" && pb_id = {:pbId}', { pbId: user.pb_id }))[0]).toMatchObject({ appid: OFFICIAL_ACCOUNT.appId });
  });

  it("ends one person's logins through the primary mini-program, the second mini-program and the 公众号 as ONE user with THREE identities", async () => {
    const name = uniqueName("union");
    const first = await miniProgramLogin(name);
    const second = await miniProgramLogin(name, SECOND_MINIPROGRAM.appId);
    const third = await oaLogin(codes.oaUserInfo(name));
    expect([first, second, third].map((response) => response.body.meta.data.status)).toEqual(["register_success", "linked", "linked"]);
    const pbId = first.body.meta.data.user.pb_id;
    expect(new Set([first, second, third].map((response) => response.body.meta.data.user.pb_id))).toEqual(new Set([pbId]));
    expect(await admin.countUsers(admin.pb.filter("unionid = {:unionid}", { unionid: `usim_${name}` }))).toBe(1);
    expect((await identitiesOf(pbId)).map(({ kind, appid, openid, unionid }) => ({ kind, appid, openid, unionid }))).toEqual([
      { kind: "miniprogram", appid: WECHAT_APP_ID, openid: openidIn(WECHAT_APP_ID, name), unionid: `usim_${name}` },
      { kind: "miniprogram", appid: SECOND_MINIPROGRAM.appId, openid: openidIn(SECOND_MINIPROGRAM.appId, name), unionid: `usim_${name}` },
      { kind: "official_account", appid: OFFICIAL_ACCOUNT.appId, openid: openidIn(OFFICIAL_ACCOUNT.appId, name), unionid: `usim_${name}` },
    ]);
    // The unionid came with the token: sns/userinfo was not needed.
    expect(await userInfoCallsFor(openidIn(OFFICIAL_ACCOUNT.appId, name))).toEqual([]);
    await waitUntil(async () => (await auditEvents('event = "identity_linked" && details.appid = {:appid} && pb_id = {:pbId}', { appid: OFFICIAL_ACCOUNT.appId, pbId })).length === 1);

    // From then on, even a silent snsapi_base login finds them.
    const silent = await oaLogin(codes.oaBase(name));
    expect(silent.status).toBe(200);
    expect(silent.body.meta.data).toMatchObject({ status: "login_success", user: { pb_id: pbId } });
  });

  it("joins through the unionid only sns/userinfo gives", async () => {
    const name = uniqueName("union");
    const { user } = await client.signIn(name);
    const response = await oaLogin(codes.oaUserInfoOnly(name));
    expect(response.body.meta.data).toMatchObject({ status: "linked", user: { pb_id: user.pb_id } });
    expect(await userInfoCallsFor(openidIn(OFFICIAL_ACCOUNT.appId, name))).toHaveLength(1);
  });

  describe("a silent snsapi_base login of nobody we know", () => {
    it("answers 409 unionid_required and writes nothing, for a stranger", async () => {
      await expectNothingWritten(async () => {
        const response = await oaLogin(codes.oaBase(uniqueName()));
        expect(response.status).toBe(409);
        expect(response.body).toEqual(unionidRequired);
      });
      await waitUntil(async () => (await auditEvents('event = "login_failed" && details.error = "unionid_required" && details.appid = {:appid}', { appid: OFFICIAL_ACCOUNT.appId })).length > 0);
    });

    it("answers 409 for a mini-program user new to the 公众号; the snsapi_userinfo retry joins them", async () => {
      const name = uniqueName("union");
      const { user } = await client.signIn(name);
      await expectNothingWritten(async () => expect((await oaLogin(codes.oaBase(name))).body).toEqual(unionidRequired));
      expect(await userInfoCallsFor(openidIn(OFFICIAL_ACCOUNT.appId, name))).toEqual([]);
      const retry = await oaLogin(codes.oaUserInfo(name));
      expect(retry.body.meta.data).toMatchObject({ status: "linked", user: { pb_id: user.pb_id } });
    });
  });

  it("refuses a 朋友圈 snapshot page's virtual account with 403 snapshot_user, writing nothing", async () => {
    await expectNothingWritten(async () => {
      const response = await oaLogin(codes.snapshot(uniqueName("union")));
      expect(response.status).toBe(403);
      expect(response.body).toEqual(snapshotRefused);
    });
    expect((await wechat.calls("/sns/userinfo")).filter((call) => call.query.openid.startsWith("osim_snapshot_"))).toEqual([]);
  });

  it("signs a website's 扫码登录 (snsapi_login) in as the same person", async () => {
    const name = uniqueName("union");
    const { user } = await client.signIn(name);
    const response = await oaLogin(codes.website(name), WEBSITE.appId);
    expect(response.body.meta.data).toMatchObject({ status: "linked", user: { pb_id: user.pb_id } });
    expect((await identitiesOf(user.pb_id)).map(({ kind, appid }) => ({ kind, appid }))).toEqual([
      { kind: "miniprogram", appid: WECHAT_APP_ID },
      { kind: "website", appid: WEBSITE.appId },
    ]);
  });

  it("never answers the user's 网页授权 access_token or refresh_token", async () => {
    const responses = [await oaLogin(codes.oaUserInfo(uniqueName())), await oaLogin(codes.oaUserInfoOnly(uniqueName("union")))];
    const tokens = await wechat.snsTokens();
    for (const response of responses) {
      expect(response.status).toBe(200);
      for (const token of tokens) expect(response.text).not.toContain(token);
    }
  });

  describe("refuses bad input before calling WeChat, writing nothing", () => {
    it.each([
      ["an appid that is not configured", { code: "c1", appid: "wx_not_ours" }, "appid", "validation_unknown_appid"],
      ["the primary mini-program's appid", { code: "c1", appid: WECHAT_APP_ID }, "appid", "validation_unknown_appid"],
      ["another mini-program's appid", { code: "c1", appid: SECOND_MINIPROGRAM.appId }, "appid", "validation_unknown_appid"],
      ["no appid", { code: "c1" }, "appid", "validation_required"],
      ["an appid that is not a string", { code: "c1", appid: 7 }, "appid", "validation_invalid_type"],
      ["no code", { appid: OFFICIAL_ACCOUNT.appId }, "code", "validation_required"],
      ["a code WeChat never issues", { code: "a b", appid: OFFICIAL_ACCOUNT.appId }, "code", "validation_invalid_format"],
    ])("%s", async (_, body, field, code) => {
      const calls = await webCodeCalls();
      await expectNothingWritten(async () => {
        const response = await client.post("/api/wechat/oa/login", body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual(fieldProblem(field, code));
      });
      expect(await webCodeCalls()).toBe(calls);
    });

    it.each([
      ["not JSON", "{", failures.malformedJson],
      ["not an object", "[]", failures.notAnObject],
    ])("a body %s", async (_, rawBody, expected) => {
      expect((await client.post("/api/wechat/oa/login", undefined, { rawBody })).body).toEqual(expected);
    });
  });

  describe("answers WeChat's refusals and failures like the mini-program's login, writing nothing", () => {
    it.each([
      ["an invalid code (40029)", codes.scenario("invalid"), 400, fieldProblem("code", "wechat_code_invalid")],
      ["a mini-program's code (40029)", codes.loginAs("someone"), 400, fieldProblem("code", "wechat_code_invalid")],
      ["WeChat's rate limit (45011)", codes.scenario("ratelimit"), 429, failures.wechatRateLimited],
      ["a busy WeChat (-1)", codes.scenario("busy"), 502, failures.wechatUnavailable],
      ["an HTTP 500", codes.scenario("http500"), 502, failures.wechatUnavailable],
      ["garbage", codes.scenario("garbage"), 502, failures.wechatUnavailable],
      ["a truncated answer", codes.scenario("truncated"), 502, failures.wechatUnavailable],
      ["a reset connection", codes.scenario("reset"), 502, failures.wechatUnavailable],
      ["no answer before the timeout", codes.scenario("hang"), 504, failures.wechatTimeout],
      ["sns/userinfo busy (-1)", codes.userInfoFails("busy", "union1"), 502, failures.wechatUnavailable],
      ["sns/userinfo answering HTTP 500", codes.userInfoFails("http500", "union2"), 502, failures.wechatUnavailable],
      ["sns/userinfo answering garbage", codes.userInfoFails("garbage", "union3"), 502, failures.wechatUnavailable],
      ["sns/userinfo not answering in time", codes.userInfoFails("hang", "union4"), 504, failures.wechatTimeout],
    ])("%s", async (_, code, status, body) => {
      await expectNothingWritten(async () => {
        const response = await oaLogin(code);
        expect(response.status).toBe(status);
        expect(response.body).toEqual(body);
      });
    });

    it("a used code (40163): 400 wechat_code_used on code", async () => {
      const code = codes.oaUserInfo(uniqueName());
      // Spend the code at WeChat directly, as a leaked or replayed code would be.
      await fetch(`${inject("simulatorUrl")}/sns/oauth2/access_token?${new URLSearchParams({ appid: OFFICIAL_ACCOUNT.appId, secret: OFFICIAL_ACCOUNT.secret, code, grant_type: "authorization_code" })}`);
      await expectNothingWritten(async () => expect((await oaLogin(code)).body).toEqual(fieldProblem("code", "wechat_code_used")));
      await waitUntil(async () => (await auditEvents('event = "login_failed" && details.errcode = 40163 && details.fields = "code:wechat_code_used"', {})).length > 0);
    });

    it("the same code twice within 10 s: 429 without calling WeChat again", async () => {
      const code = codes.oaUserInfo(uniqueName());
      expect((await oaLogin(code)).status).toBe(200);
      const calls = await webCodeCalls();
      expect((await oaLogin(code)).body).toEqual(failures.duplicateLoginCode);
      expect(await webCodeCalls()).toBe(calls);
    });

    it("a code whose answer was lost before WeChat used it may be retried at once", async () => {
      const code = codes.scenario("http500");
      const answers: ApiResponse[] = [await oaLogin(code), await oaLogin(code)];
      expect(answers.map((response) => response.body)).toEqual([failures.wechatUnavailable, failures.wechatUnavailable]);
    });
  });
});

describe("POST /api/wechat/oa/login with a wrong 公众号 secret in WECHAT_APPS", () => {
  it("answers 500 misconfigured, writes nothing, and the log names WECHAT_APPS, never the secret", async () => {
    const wrongApps = JSON.stringify([{ appid: OFFICIAL_ACCOUNT.appId, secret: "not_the_oa_secret", kind: "official_account" }]);
    const own = await startWithSimulator({ env: { WECHAT_APPS: wrongApps } });
    try {
      const ownAdmin = await adminClient(own.instance.url);
      const response = await api(own.instance.url).post("/api/wechat/oa/login", { code: codes.oaUserInfo(uniqueName()), appid: OFFICIAL_ACCOUNT.appId });
      expect(response.status).toBe(500);
      expect(response.body).toEqual(failureBody(500, "wechat_misconfigured", "服务端微信配置错误"));
      expect(await ownAdmin.countUsers()).toBe(0);
      const token = await own.instance.superuserToken();
      let logs = "";
      await waitUntil(async () => {
        logs = await (await fetch(`${own.instance.url}/api/logs?perPage=200&sort=-created`, { headers: { authorization: token } })).text();
        return logs.includes("errcode 40125 on sns_oauth2_access_token");
      });
      expect(logs).toContain("the secret in WECHAT_APPS is wrong for this appid");
      expect(logs).not.toContain("not_the_oa_secret");
    } finally {
      await own.close();
    }
  });
});
