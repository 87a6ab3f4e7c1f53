// POST /api/wechat/phone-login: one tap gives a login code and a phone code. A person whose number
// staff entered claims that user; a number is never enough to take over someone else's account;
// WeChat's billed phone call comes only after every local check.
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { auditTrail, flatAuditRow } from "../support/audit-trail";
import { waitUntil } from "../support/lifecycle";
import { errorBody, failures, fieldProblem } from "../support/responses";
import { registration, uniquePhone } from "../support/registration";
import { codes, openidIn, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
const PHONE_CALLS = "/wxa/business/getuserphonenumber";
const LOGIN_CALLS = "/sns/jscode2session";
let admin: Awaited<ReturnType<typeof adminClient>>;
let staff: ReturnType<typeof registration>;

beforeAll(async () => {
  admin = await adminClient();
  staff = registration(admin);
});

afterEach(async () => {
  await staff.setPolicy("");
});

const phoneLogin = (name: string, phoneCode: string, extra: Record<string, unknown> = {}) =>
  client.post("/api/wechat/phone-login", { users_wx_code: codes.loginAs(name), users_phone_code: phoneCode, ...extra });
const identitiesOf = (userId: string) => admin.pb.collection("tbl_user_identities").getFullList({ filter: admin.pb.filter("user = {:userId}", { userId }) });
const identityCount = async () => (await admin.pb.collection("tbl_user_identities").getList(1, 1)).totalItems;
const phoneCallCount = async () => (await wechat.calls(PHONE_CALLS)).length;

describe("POST /api/wechat/phone-login: claiming a user staff made", () => {
  it("gives the person that very record, with its users_id, name and company, and records the claim", async () => {
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_name: "王五", users_phone: phone, company_id: "C-CLAIM" });
    const name = uniqueName();
    const response = await phoneLogin(name, codes.phone(phone));
    expect(response.status).toBe(200);
    expect(response.body.meta).toMatchObject({ code: 200, msg: "登录成功", data: { status: "claimed", phone_mismatch: false } });
    expect(response.body.meta.data.user).toMatchObject({ pb_id: made.id, users_id: made.users_id, users_name: "王五", users_phone: phone, company_id: "C-CLAIM", openid: openidIn(WECHAT_APP_ID, name) });
    const claim = await admin.registrationOf(made.id);
    expect(claim?.claimed_at).not.toBe("");
    expect(claim?.registered_at).toBe("");
    expect((await identitiesOf(made.id)).map((identity) => [identity.appid, identity.openid])).toEqual([[WECHAT_APP_ID, openidIn(WECHAT_APP_ID, name)]]);
    const entries = await auditTrail().waitFor(admin.pb.filter("event = 'account_claimed' && pb_id = {:id}", { id: made.id }));
    expect(flatAuditRow(entries[0])).toMatchObject({ appid: WECHAT_APP_ID, users_id: made.users_id });
    // From now on the same WeChat logs in as that user, by /login too.
    expect((await client.signIn(name)).user.pb_id).toBe(made.id);
  });

  it("answers 409 phone_in_use to a second claim of that user from another WeChat, and writes nothing", async () => {
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_phone: phone });
    expect((await phoneLogin(uniqueName(), codes.phone(phone))).body.meta.data.status).toBe("claimed");
    const claimed = await admin.users.getOne(made.id);
    const [users, identities] = [await admin.countUsers(), await identityCount()];
    const second = await phoneLogin(uniqueName(), codes.phone(phone));
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ ...errorBody(409), error: "phone_in_use" });
    expect(await admin.users.getOne(made.id)).toEqual(claimed);
    expect([await admin.countUsers(), await identityCount()]).toEqual([users, identities]);
  });

  it("answers 409 duplicate_phone_users for two staff records of one number, names neither, and writes nothing", async () => {
    const phone = uniquePhone();
    const twins = [await staff.staffUser({ users_phone: phone, users_name: "甲" }), await staff.staffUser({ users_phone: phone, users_name: "乙" })];
    const [users, identities] = [await admin.countUsers(), await identityCount()];
    const response = await phoneLogin(uniqueName(), codes.phone(phone));
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ ...errorBody(409), error: "duplicate_phone_users" });
    for (const twin of twins) {
      expect(response.text).not.toContain(twin.id);
      expect(response.text).not.toContain(twin.users_id);
      expect(await admin.users.getOne(twin.id)).toEqual(twin);
    }
    expect([await admin.countUsers(), await identityCount()]).toEqual([users, identities]);
  });

  it("never claims a disabled user: 403, and writes nothing", async () => {
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_phone: phone, users_status: "禁用" });
    const users = await admin.countUsers();
    const response = await phoneLogin(uniqueName(), codes.phone(phone));
    expect(response.status).toBe(403);
    expect(response.body).toEqual(failures.accountDisabled);
    expect(await admin.users.getOne(made.id)).toEqual(made);
    expect(await admin.countUsers()).toBe(users);
  });

  it("lets exactly one of two people claiming one record at once have it", async () => {
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_phone: phone });
    // Both requests wait at WeChat's phone call, past every check, and are let go together.
    const phoneCodes = [codes.held(phone), codes.held(phone)];
    const answers = Promise.all(phoneCodes.map((phoneCode) => phoneLogin(uniqueName(), phoneCode)));
    await waitUntil(async () => {
      const waiting = new Set((await wechat.calls(PHONE_CALLS)).map((call) => (call.body as { code?: string } | null)?.code));
      return phoneCodes.every((code) => waiting.has(code));
    });
    await Promise.all(phoneCodes.map((code) => wechat.release(code)));
    const statuses = (await answers).map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(await identitiesOf(made.id)).toHaveLength(1);
  });
});

describe("POST /api/wechat/phone-login: a person we know", () => {
  it("stores the verified number of a user who has none", async () => {
    const name = uniqueName();
    const { user } = await client.signIn(name);
    const phone = uniquePhone();
    const response = await phoneLogin(name, codes.phone(phone));
    expect(response.body.meta.data).toMatchObject({ status: "login_success", phone_mismatch: false, user: { pb_id: user.pb_id, users_phone: phone } });
    expect((await admin.users.getOne(user.pb_id)).users_phone).toBe(phone);
  });

  it("keeps the stored number when WeChat verifies another, and says so", async () => {
    const name = uniqueName();
    const { user } = await client.signIn(name);
    const stored = uniquePhone();
    await admin.users.update(user.pb_id, { users_phone: stored });
    const response = await phoneLogin(name, codes.phone(uniquePhone()));
    expect(response.status).toBe(200);
    expect(response.body.meta.data).toMatchObject({ status: "login_success", phone_mismatch: true, user: { users_phone: stored } });
    expect((await admin.users.getOne(user.pb_id)).users_phone).toBe(stored);
  });

  it("answers 409 phone_in_use to a new WeChat whose number another WeChat's user holds: numbers get reassigned", async () => {
    const phone = uniquePhone();
    const { user } = await client.signIn(uniqueName());
    await admin.users.update(user.pb_id, { users_phone: phone });
    const users = await admin.countUsers();
    const response = await phoneLogin(uniqueName(), codes.phone(phone));
    expect(response.status).toBe(409);
    expect(response.body.error).toBe("phone_in_use");
    expect(response.text).not.toContain(user.pb_id);
    expect(await admin.countUsers()).toBe(users);
  });

  it("registers a new person with the number under the open policy", async () => {
    const phone = uniquePhone();
    const response = await phoneLogin(uniqueName(), codes.phone(phone));
    expect(response.status).toBe(200);
    expect(response.body.meta).toMatchObject({ msg: "注册成功", data: { status: "register_success", user: { users_phone: phone, users_type: "游客" } } });
  });
});

describe("POST /api/wechat/phone-login: a number from outside mainland China", () => {
  it("is stored as +<country code><number> and never matches an 11-digit mainland number", async () => {
    const mainland = uniquePhone();
    const made = await staff.staffUser({ users_phone: mainland });
    // +1 and the same eleven digits: a different number.
    const response = await phoneLogin(uniqueName(), codes.phoneAbroad("1", mainland));
    expect(response.status).toBe(200);
    expect(response.body.meta.data).toMatchObject({ status: "register_success", user: { users_phone: `+1${mainland}` } });
    expect(response.body.meta.data.user.pb_id).not.toBe(made.id);
    expect(await admin.users.getOne(made.id)).toEqual(made);
  });

  it("claims a staff record typed as +<country code><number>", async () => {
    const local = String(60_000_000 + Math.floor(Math.random() * 9_999_999));
    const made = await staff.staffUser({ users_phone: `+852${local}` });
    const response = await phoneLogin(uniqueName(), codes.phoneAbroad("852", local));
    expect(response.body.meta.data).toMatchObject({ status: "claimed", user: { pb_id: made.id } });
  });
});

describe("POST /api/wechat/phone-login: nothing is billed before every local check passed", () => {
  const refusals: Array<[string, () => Promise<Record<string, unknown>>, number, unknown]> = [
    ["a missing phone code", async () => ({ users_wx_code: codes.loginAs(uniqueName()) }), 400, fieldProblem("users_phone_code", "validation_required")],
    ["a phone code that is no code", async () => ({ users_wx_code: codes.loginAs(uniqueName()), users_phone_code: "p 1" }), 400, fieldProblem("users_phone_code", "validation_invalid_format")],
    ["an appid that is not ours", async () => ({ users_wx_code: codes.loginAs(uniqueName()), users_phone_code: codes.phone(uniquePhone()), appid: "wx_not_ours" }), 400, fieldProblem("appid", "validation_unknown_appid")],
    ["an unknown invite", async () => ({ users_wx_code: codes.loginAs(uniqueName()), users_phone_code: codes.phone(uniquePhone()), invite_code: "NOSUCHINVITE" }), 400, fieldProblem("invite_code", "invite_invalid")],
    ["a login code WeChat refuses", async () => ({ users_wx_code: codes.scenario("invalid"), users_phone_code: codes.phone(uniquePhone()) }), 400, fieldProblem("users_wx_code", "wechat_code_invalid")],
    ["a blocked user", async () => ({ users_wx_code: codes.scenario("blocked"), users_phone_code: codes.phone(uniquePhone()) }), 400, fieldProblem("users_wx_code", "wechat_code_blocked")],
    ["code2Session failing in transit", async () => ({ users_wx_code: codes.scenario("http500"), users_phone_code: codes.phone(uniquePhone()) }), 502, failures.wechatUnavailable],
    ["code2Session rate-limited", async () => ({ users_wx_code: codes.scenario("ratelimit"), users_phone_code: codes.phone(uniquePhone()) }), 429, failures.wechatRateLimited],
    [
      "a disabled user",
      async () => {
        const name = uniqueName();
        const { user } = await client.signIn(name);
        await admin.users.update(user.pb_id, { users_status: "禁用" });
        return { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(uniquePhone()) };
      },
      403,
      failures.accountDisabled,
    ],
    [
      "a user being deleted, when the login may not cancel it",
      async () => {
        const name = uniqueName();
        const { token } = await client.signIn(name);
        await client.post("/api/wechat/delete-account", undefined, { token });
        return { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(uniquePhone()), cancel_deletion: false };
      },
      403,
      errorBody(403),
    ],
  ];

  it.each(refusals)("refuses %s without calling getuserphonenumber, and writes nothing", async (_, arrange, status, body) => {
    const request = await arrange();
    const [users, phoneCalls] = [await admin.countUsers(), await phoneCallCount()];
    const response = await client.post("/api/wechat/phone-login", request);
    expect(response.status).toBe(status);
    expect(response.body).toEqual(body);
    expect(await phoneCallCount()).toBe(phoneCalls);
    expect(await admin.countUsers()).toBe(users);
  });

  it("asks WeChat nothing at all for a body that fails its checks", async () => {
    const calls = (await wechat.calls()).length;
    const response = await client.post("/api/wechat/phone-login", { users_wx_code: "", users_phone_code: 7 });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.data).sort()).toEqual(["users_phone_code", "users_wx_code"]);
    expect((await wechat.calls()).length).toBe(calls);
  });

  const phoneFailures: Array<[string, string, number, unknown]> = [
    ["an invalid phone code", "invalid", 400, fieldProblem("users_phone_code", "wechat_code_invalid")],
    ["a phone code of another app", "wrongapp", 400, fieldProblem("users_phone_code", "wechat_code_wrong_app")],
    ["WeChat's rate limit", "ratelimit", 429, failures.wechatRateLimited],
    ["WeChat's system error", "busy", 502, failures.wechatUnavailable],
    ["an unreadable answer", "garbage", 502, failures.wechatUnavailable],
    ["no answer in time", "hang", 504, failures.wechatTimeout],
  ];

  it.each(phoneFailures)("answers %s of the phone call on its own field or status, and writes nothing", async (_, scenario, status, body) => {
    const name = uniqueName();
    const [users, identities] = [await admin.countUsers(), await identityCount()];
    const response = await phoneLogin(name, codes.scenario(scenario));
    expect(response.status).toBe(status);
    expect(response.body).toEqual(body);
    expect([await admin.countUsers(), await identityCount()]).toEqual([users, identities]);
    expect((await wechat.calls(LOGIN_CALLS)).some((call) => call.query.js_code?.startsWith(`u-${name}-`))).toBe(true);
  });
});
