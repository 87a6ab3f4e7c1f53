// WeChat's risk rank at registration (RISK_CHECK): getuserriskrank is called only when a login
// would create a user, with scene 0, the proxy-resolved client IP and the openid; the rank and
// the time land on the new user and in the audit trail; enforce refuses a high rank (403, no user)
// and sends a review rank to 待审核 (answered as the approval policy's new users); every failure
// fails open. The phone login's registrations are ranked too, never a login that finds, joins or
// claims a user.
// The simulator answers the rank a part of the WeChat user's name picks (risk4, riskerr61010, …).
// Only a mini-program asks (getuserriskrank is its API), with its own appid and openid.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { auditTrail } from "../support/audit-trail";
import { registration, uniquePhone } from "../support/registration";
import { exemptLoopbackFromRateLimits, startWithSimulator } from "../support/pocketbase";
import { codes, OFFICIAL_ACCOUNT, openidIn, SECOND_MINIPROGRAM, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";

const CLIENT_IP = "203.0.113.90";
const RISK_PATH = "/wxa/getuserriskrank";

type Setup = Awaited<ReturnType<typeof startWithSimulator>>;

async function startWith(env: Record<string, string>): Promise<Setup> {
  const setup = await startWithSimulator({ env: { WECHAT_TIMEOUT_S: "1", ...env } });
  await exemptLoopbackFromRateLimits(setup.instance); // staff's requests; the user's come from CLIENT_IP
  await (await adminClient(setup.instance.url)).pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
  return setup;
}

const riskyName = (scenario: string) => `${uniqueName("rr")}_${scenario}`;

function helpers(setup: Setup) {
  const url = setup.instance.url;
  const sim = simulator(setup.simulator.url);
  return {
    login: (name: string) => api(url).post("/api/wechat/login", { users_wx_code: codes.loginAs(name) }, { headers: { "x-real-ip": CLIENT_IP } }),
    users: async (name: string) => (await adminClient(url)).usersByOpenid(`osim_${name}`),
    // The rank of the user the name registered (tbl_user_registrations); null when nothing was recorded.
    rankOf: async (name: string) => {
      const admin = await adminClient(url);
      const [user] = await admin.usersByOpenid(`osim_${name}`);
      return admin.registrationOf(user.id);
    },
    riskCalls: async (name: string) => (await sim.calls(RISK_PATH)).filter((call) => (call.body as any)?.openid === `osim_${name}`),
    riskEvents: (filter: string) => auditTrail(url).find(`event = "risk_rank" && ${filter}`),
  };
}

describe("RISK_CHECK=off (the default)", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({});
  });
  afterAll(() => setup.close());

  it("never asks WeChat, and leaves the rank empty", async () => {
    const { login, rankOf, riskCalls } = helpers(setup);
    const name = riskyName("risk4");
    expect((await login(name)).status).toBe(200);
    expect(await riskCalls(name)).toEqual([]);
    expect(await rankOf(name)).toMatchObject({ risk_rank: "", risk_checked: "" });
  });
});

describe("RISK_CHECK=observe", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({ RISK_CHECK: "observe" });
  });
  afterAll(() => setup.close());

  it("asks once at registration, stores and audits the rank, and refuses no one", async () => {
    const { login, users, rankOf, riskCalls, riskEvents } = helpers(setup);
    const name = riskyName("risk4");
    const registered = await login(name);
    expect(registered.body.meta.data.status).toBe("register_success");
    const calls = await riskCalls(name);
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ appid: expect.any(String), openid: `osim_${name}`, scene: 0, client_ip: CLIENT_IP });
    expect(calls[0].query.access_token).toEqual(expect.any(String));
    const [user] = await users(name);
    const rank = await rankOf(name);
    expect(rank?.risk_rank).toBe("4");
    expect(Date.now() - new Date(rank!.risk_checked.replace(" ", "T")).getTime()).toBeLessThan(60_000);
    const [event] = await riskEvents(`pb_id = "${user.id}"`);
    expect(event).toMatchObject({ by: "user", ip: CLIENT_IP, details: { mode: "observe", rank: 4, verdict: "block", outcome: "created" } });

    // Existing users never trigger the call.
    expect((await login(name)).body.meta.data.status).toBe("login_success");
    expect(await riskCalls(name)).toHaveLength(1);
  });

  it("asks only when the identities' resolution would create a user: a second mini-program's registration with its own appid, never a link by unionid nor a 公众号 login", async () => {
    const url = setup.instance.url;
    const sim = simulator(setup.simulator.url);
    const riskCallsOf = async (openid: string) => (await sim.calls(RISK_PATH)).filter((call) => (call.body as any)?.openid === openid);
    const loginThrough = (appid: string, name: string) => api(url).post("/api/wechat/login", { users_wx_code: codes.loginAs(name), appid }, { headers: { "x-real-ip": CLIENT_IP } });

    // A new person through the second mini-program: asked with that app's appid and openid.
    const newcomer = `${uniqueName("rr")}_risk1`;
    expect((await loginThrough(SECOND_MINIPROGRAM.appId, newcomer)).body.meta.data.status).toBe("register_success");
    const calls = await riskCallsOf(openidIn(SECOND_MINIPROGRAM.appId, newcomer));
    expect(calls.map((call) => (call.body as any).appid)).toEqual([SECOND_MINIPROGRAM.appId]);

    // The same person (a unionid) through the primary one: linked to that user, not asked.
    const person = `${uniqueName("rrunion")}_risk2`;
    expect((await loginThrough(SECOND_MINIPROGRAM.appId, person)).body.meta.data.status).toBe("register_success");
    expect((await api(url).post("/api/wechat/login", { users_wx_code: codes.loginAs(person) }, { headers: { "x-real-ip": CLIENT_IP } })).body.meta.data.status).toBe("linked");
    expect(await riskCallsOf(openidIn(WECHAT_APP_ID, person))).toEqual([]);

    // A 公众号 registration: getuserriskrank is the mini-program's, so nobody is asked and no rank is stored.
    const reader = `${uniqueName("rr")}_risk4`;
    const oa = await api(url).post("/api/wechat/oa/login", { code: codes.oaUserInfo(reader), appid: OFFICIAL_ACCOUNT.appId }, { headers: { "x-real-ip": CLIENT_IP } });
    expect(oa.body.meta.data.status).toBe("register_success");
    expect(await riskCallsOf(openidIn(OFFICIAL_ACCOUNT.appId, reader))).toEqual([]);
    expect(await (await adminClient(url)).registrationOf(oa.body.record.id)).toMatchObject({ risk_rank: "", risk_checked: "" });
  });

  it("keeps the rank from the user: staff's collection refuses their token", async () => {
    const { login, rankOf } = helpers(setup);
    const name = riskyName("risk2");
    const response = await login(name);
    expect((await rankOf(name))?.risk_rank).toBe("2");
    const own = await fetch(`${setup.instance.url}/api/collections/tbl_user_registrations/records`, { headers: { authorization: response.body.token } });
    expect(own.status).toBe(403);
  });
});

describe("RISK_CHECK=enforce", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({ RISK_CHECK: "enforce" });
  });
  afterAll(() => setup.close());

  it("refuses a rank from RISK_BLOCK_RANK (4) with 403, creating no user, and audits it", async () => {
    const { login, users, riskEvents } = helpers(setup);
    const name = riskyName("risk4");
    expect((await login(name)).body).toEqual({ code: 403, error: "registration_refused", msg: "账号存在安全风险,暂时无法注册", message: "账号存在安全风险,暂时无法注册", data: {} });
    expect(await users(name)).toEqual([]);
    const events = await riskEvents(`ip = "${CLIENT_IP}" && details.outcome = "refused" && details.rank = 4`);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]).toMatchObject({ users_id: "", pb_id: "", details: { mode: "enforce", verdict: "block" } });
  });

  it("registers a rank below the review rank as usual", async () => {
    const { login, rankOf } = helpers(setup);
    const name = riskyName("risk2");
    expect((await login(name)).body.meta.data.status).toBe("register_success");
    expect((await rankOf(name))?.risk_rank).toBe("2");
  });

  it.each([
    ["errcode -1 (busy)", "riskerrm1", { failure: "errcode", errcode: -1 }],
    ["48001 (no permission for the API)", "riskerr48001", { failure: "errcode", errcode: 48001 }],
    ["61010 (openid not seen lately)", "riskerr61010", { failure: "errcode", errcode: 61010 }],
    ["a timeout", "riskhang", { failure: "timeout" }],
    ["HTTP 500", "riskhttp500", { failure: "http_status" }],
    ["an unreadable answer", "riskgarbage", { failure: "unreadable" }],
  ])("fails open on %s: the user is created with the rank 未知, and the failure is audited", { timeout: 20_000 }, async (_case, scenario, failure) => {
    const { login, users, rankOf, riskEvents } = helpers(setup);
    const name = riskyName(scenario);
    expect((await login(name)).body.meta.data.status).toBe("register_success");
    const [user] = await users(name);
    expect((await rankOf(name))?.risk_rank).toBe("未知");
    const [event] = await riskEvents(`pb_id = "${user.id}"`);
    expect(event.details).toEqual({ mode: "enforce", rank: "unknown", verdict: "pass", outcome: "created", ...failure });
  });

  it("never asks for an existing user, whatever the rank would be", async () => {
    const { login, riskCalls } = helpers(setup);
    const name = riskyName("risk1");
    await login(name);
    await login(name);
    await login(name);
    expect(await riskCalls(name)).toHaveLength(1);
  });

  it("creates a review rank's user as 待审核, answered as the approval policy's new users are, with no token", async () => {
    const { login, users, rankOf, riskEvents, riskCalls } = helpers(setup);
    const name = riskyName("risk3");
    expect((await login(name)).body).toEqual({ code: 403, error: "phone_login_required", msg: "请使用手机号快捷登录", message: "请使用手机号快捷登录", data: {} });
    const [user] = await users(name);
    expect(user.users_status).toBe("待审核");
    expect((await rankOf(name))?.risk_rank).toBe("3");
    expect((await riskEvents(`pb_id = "${user.id}"`))[0].details).toMatchObject({ verdict: "review", outcome: "pending_review" });
    expect((await login(name)).body).toMatchObject({ code: 403, error: "account_pending_approval" }); // still waiting
    // The phone login gives staff the number to judge by, and asks WeChat nothing more about the risk.
    const byPhone = await api(setup.instance.url).post("/api/wechat/phone-login", { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(uniquePhone()) }, { headers: { "x-real-ip": CLIENT_IP } });
    expect(byPhone.body).toMatchObject({ code: 403, error: "account_pending_approval" });
    expect((await users(name))[0].users_phone).not.toBe("");
    expect(await riskCalls(name)).toHaveLength(1);
  });

  it("ranks a phone login's registration as /login's, and never a phone login that claims the user staff made", async () => {
    const { riskCalls, users } = helpers(setup);
    const phoneLogin = (name: string, phone: string) =>
      api(setup.instance.url).post("/api/wechat/phone-login", { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(phone) }, { headers: { "x-real-ip": CLIENT_IP } });
    const newcomer = riskyName("risk4");
    expect((await phoneLogin(newcomer, uniquePhone())).body).toMatchObject({ code: 403, error: "registration_refused" });
    expect(await users(newcomer)).toEqual([]);
    expect(await riskCalls(newcomer)).toHaveLength(1);

    const phone = uniquePhone();
    const made = await registration(await adminClient(setup.instance.url)).staffUser({ users_phone: phone });
    const owner = riskyName("risk4");
    const claimed = await phoneLogin(owner, phone);
    expect(claimed.body.meta.data).toMatchObject({ status: "claimed", user: { pb_id: made.id } });
    expect(await riskCalls(owner)).toEqual([]);
  });
});
