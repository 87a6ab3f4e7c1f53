// Who may register: the policy staff pick in tbl_settings (REGISTRATION_POLICY when they pick
// none), on both login routes; 待审核 from registration to staff's approval; invite codes; and
// what every new user records about how they came in.
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { auditTrail, flatAuditRow } from "../support/audit-trail";
import { startWithSimulator } from "../support/pocketbase";
import { errorBody, fieldProblem } from "../support/responses";
import { registration, uniquePhone, type Policy } from "../support/registration";
import { codes, openidIn, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;
let staff: ReturnType<typeof registration>;

beforeAll(async () => {
  admin = await adminClient();
  staff = registration(admin);
});

afterEach(async () => {
  await staff.setPolicy("");
});

const login = (name: string, extra: Record<string, unknown> = {}) => client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), ...extra });
const phoneLogin = (name: string, phone: string, extra: Record<string, unknown> = {}) =>
  client.post("/api/wechat/phone-login", { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(phone), ...extra });
const refusal = (error: string) => ({ ...errorBody(403), error });
// By openid: a phone number in a filter would sit in PocketBase's request log.
const userOf = (name: string) => admin.userByOpenid(openidIn(WECHAT_APP_ID, name));

describe("the registration policy on POST /api/wechat/login and /phone-login", () => {
  const unknownPerson: Array<[Policy, number, unknown, number]> = [
    ["open", 200, undefined, 1],
    ["phone_match", 403, refusal("phone_login_required"), 0],
    ["closed", 403, refusal("phone_login_required"), 0],
    ["approval", 403, refusal("phone_login_required"), 1],
  ];

  it.each(unknownPerson)("%s: /login of someone new answers %i and writes %#", async (policy, status, body, written) => {
    await staff.setPolicy(policy);
    const users = await admin.countUsers();
    const response = await login(uniqueName());
    expect(response.status).toBe(status);
    if (body) expect(response.body).toEqual(body);
    expect(await admin.countUsers()).toBe(users + written);
  });

  const newNumber: Array<[Policy, number, unknown, string | null]> = [
    ["open", 200, undefined, "正常"],
    ["phone_match", 403, refusal("phone_not_registered"), null],
    ["closed", 403, refusal("registration_closed"), null],
    ["approval", 403, refusal("account_pending_approval"), "待审核"],
  ];

  it.each(newNumber)("%s: /phone-login of someone new answers %i", async (policy, status, body, registeredAs) => {
    await staff.setPolicy(policy);
    const phone = uniquePhone();
    const name = uniqueName();
    const users = await admin.countUsers();
    const response = await phoneLogin(name, phone);
    expect(response.status).toBe(status);
    if (body) expect(response.body).toEqual(body);
    expect(await admin.countUsers()).toBe(users + (registeredAs ? 1 : 0));
    if (registeredAs) {
      const user = await userOf(name);
      expect(user).toMatchObject({ users_status: registeredAs, users_phone: phone });
      expect(await admin.registrationOf(user.id)).toMatchObject({ registered_route: "/api/wechat/phone-login" });
    }
  });

  it.each([["phone_match"], ["closed"], ["approval"]] as Array<[Policy]>)("%s: a user staff made still comes in, by phone", async (policy) => {
    await staff.setPolicy(policy);
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_phone: phone });
    const response = await phoneLogin(uniqueName(), phone);
    expect(response.body.meta.data).toMatchObject({ status: "claimed", user: { pb_id: made.id } });
  });

  it.each([["phone_match"], ["closed"], ["approval"]] as Array<[Policy]>)("%s: a user who registered before still logs in, on both routes", async (policy) => {
    const name = uniqueName();
    const { user } = await client.signIn(name);
    await staff.setPolicy(policy);
    expect((await login(name)).body.meta.data.user.pb_id).toBe(user.pb_id);
    expect((await phoneLogin(name, uniquePhone())).body.meta.data).toMatchObject({ status: "login_success", user: { pb_id: user.pb_id } });
  });

  it("follows REGISTRATION_POLICY when staff leave the choice empty, and closes registration on a value it does not know", async () => {
    const own = await startWithSimulator({ env: { REGISTRATION_POLICY: "close" } });
    try {
      const response = await api(own.instance.url).post("/api/wechat/login", { users_wx_code: codes.loginAs(uniqueName()) });
      expect(response.status).toBe(403);
      expect(response.body.error).toBe("phone_login_required");
      expect(own.instance.output()).toContain('REGISTRATION_POLICY="close" is not one of open, phone_match, closed, approval');
      // Staff's choice wins over the environment's.
      const ownStaff = registration(await adminClient(own.instance.url));
      await ownStaff.setPolicy("open");
      expect((await api(own.instance.url).post("/api/wechat/login", { users_wx_code: codes.loginAs(uniqueName()) })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it("keeps tbl_settings to one row", async () => {
    await expect(staff.settings.create({ registration_policy: "closed" })).rejects.toMatchObject({ status: 400 });
    expect((await staff.settings.getList(1, 10)).totalItems).toBe(1);
  });
});

describe("待审核: from registration through staff's approval", () => {
  it("registers the person waiting, gives no token until staff set 正常, then logs them in", async () => {
    await staff.setPolicy("approval");
    const name = uniqueName();
    const phone = uniquePhone();
    // /login registers them and sends them to the phone login, which gives staff their number.
    const first = await login(name);
    expect(first.body).toEqual(refusal("phone_login_required"));
    expect(first.body.token).toBeUndefined();
    const second = await phoneLogin(name, phone);
    expect(second.body).toEqual(refusal("account_pending_approval"));
    const waiting = await userOf(name);
    expect(waiting).toMatchObject({ users_status: "待审核", users_phone: phone });
    expect(await admin.registrationOf(waiting.id)).toMatchObject({ registered_route: "/api/wechat/login", registered_appid: WECHAT_APP_ID });
    // Staff find everyone waiting with one filter.
    const pending = await admin.users.getFullList({ filter: 'users_status = "待审核"' });
    expect(pending.map((user) => user.id)).toContain(waiting.id);
    expect((await login(name)).body).toEqual(refusal("account_pending_approval"));
    // The user's status decides now, not the policy.
    await staff.setPolicy("open");
    expect((await login(name)).body).toEqual(refusal("account_pending_approval"));

    await admin.users.update(waiting.id, { users_status: "正常" });
    const approved = await login(name);
    expect(approved.status).toBe(200);
    expect(approved.body.meta.data).toMatchObject({ status: "login_success", user: { pb_id: waiting.id, users_phone: phone } });
    const approvals = await auditTrail().waitFor(admin.pb.filter("event = 'account_approved' && pb_id = {:id}", { id: waiting.id }));
    expect(flatAuditRow(approvals[0])).toMatchObject({ by: "staff" });
    const registrations = await auditTrail().waitFor(admin.pb.filter("event = 'registration' && pb_id = {:id}", { id: waiting.id }));
    expect(flatAuditRow(registrations[0])).toMatchObject({ users_status: "待审核", appid: WECHAT_APP_ID });
  });

  it("gives a person whom staff entered their record, when /login had registered them waiting", async () => {
    await staff.setPolicy("approval");
    const phone = uniquePhone();
    const made = await staff.staffUser({ users_phone: phone, company_id: "C-ENTERED" });
    const name = uniqueName();
    const users = await admin.countUsers();
    expect((await login(name)).body).toEqual(refusal("phone_login_required"));
    const waiting = await userOf(name);
    const response = await phoneLogin(name, phone);
    expect(response.status).toBe(200);
    expect(response.body.meta.data).toMatchObject({ status: "claimed", user: { pb_id: made.id, company_id: "C-ENTERED" } });
    // The empty 待审核 record, which never had a token, is gone; its identity is the staff record's.
    await expect(admin.users.getOne(waiting.id)).rejects.toMatchObject({ status: 404 });
    expect(await admin.countUsers()).toBe(users);
    expect((await login(name)).body.meta.data.user.pb_id).toBe(made.id);
    const claims = await auditTrail().waitFor(admin.pb.filter("event = 'account_claimed' && pb_id = {:id}", { id: made.id }));
    expect(flatAuditRow(claims[0])).toMatchObject({ replaced_pb_id: waiting.id });
  });

  it("voids the tokens of a user staff send back to 待审核", async () => {
    const { token, user } = await client.signIn(uniqueName());
    await admin.users.update(user.pb_id, { users_status: "待审核" });
    expect((await client.refreshToken(token)).status).toBe(401);
  });
});

describe("invite codes", () => {
  it("let a person in under closed, join them to the invite's company and use one use", async () => {
    await staff.setPolicy("closed");
    const code = await staff.invite({ company_id: "C-INVITED", uses_left: 2 });
    const response = await login(uniqueName(), { invite_code: code });
    expect(response.status).toBe(200);
    expect(response.body.meta.data).toMatchObject({ status: "register_success", user: { company_id: "C-INVITED" } });
    expect(await admin.users.getOne(response.body.meta.data.user.pb_id)).toMatchObject({ users_status: "正常" });
    expect(await admin.registrationOf(response.body.meta.data.user.pb_id)).toMatchObject({ invite_code: code });
    expect(await staff.usesLeft(code)).toBe(1);
    const byPhone = await phoneLogin(uniqueName(), uniquePhone(), { invite_code: code });
    expect(byPhone.body.meta.data).toMatchObject({ status: "register_success", user: { company_id: "C-INVITED" } });
    expect(await staff.usesLeft(code)).toBe(0);
  });

  it("skip the wait under approval", async () => {
    await staff.setPolicy("approval");
    const code = await staff.invite();
    const response = await login(uniqueName(), { invite_code: code });
    expect(response.status).toBe(200);
  });

  it("are not used by a login of someone already registered", async () => {
    const name = uniqueName();
    await client.signIn(name);
    const code = await staff.invite();
    expect((await login(name, { invite_code: code })).status).toBe(200);
    expect(await staff.usesLeft(code)).toBe(1);
  });

  const unusable: Array<[string, () => Promise<string>, string]> = [
    ["an unknown code", async () => "NO-SUCH-INVITE", "invite_invalid"],
    ["an expired code", () => staff.invite({ expires: new Date(Date.now() - 60_000).toISOString().replace("T", " ") }), "invite_expired"],
    ["a used-up code", () => staff.invite({ uses_left: 0 }), "invite_used_up"],
  ];

  it.each(unusable)("refuse %s with a field problem, before WeChat is asked, on both routes", async (_, arrange, problem) => {
    await staff.setPolicy("closed");
    const code = await arrange();
    const [users, calls] = [await admin.countUsers(), (await wechat.calls()).length];
    expect((await login(uniqueName(), { invite_code: code })).body).toEqual(fieldProblem("invite_code", problem));
    expect((await phoneLogin(uniqueName(), uniquePhone(), { invite_code: code })).body).toEqual(fieldProblem("invite_code", problem));
    expect(await admin.countUsers()).toBe(users);
    expect((await wechat.calls()).length).toBe(calls);
  });

  it("give their last use to exactly one of two registrations at once", async () => {
    await staff.setPolicy("closed");
    const code = await staff.invite({ uses_left: 1 });
    const answers = await Promise.all([login(uniqueName(), { invite_code: code }), login(uniqueName(), { invite_code: code })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(answers.find((answer) => answer.status === 400)!.body).toEqual(fieldProblem("invite_code", "invite_used_up"));
    expect(await staff.usesLeft(code)).toBe(0);
  });
});

describe("how a user registered", () => {
  it("is recorded for staff in tbl_user_registrations: appid, route, client IP and time; the user cannot read it", async () => {
    const before = Date.now();
    const { token, user } = await client.signIn(uniqueName());
    const record = await admin.registrationOf(user.pb_id);
    expect(record).toMatchObject({ user: user.pb_id, registered_appid: WECHAT_APP_ID, registered_route: "/api/wechat/login", registered_ip: "127.0.0.1", claimed_at: "", invite_code: "" });
    expect(new Date(record!.registered_at.replace(" ", "T")).getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Superusers only: a user's token is refused the view and the list.
    for (const path of [`records/${record!.id}`, "records"]) expect((await client.get(`/api/collections/tbl_user_registrations/${path}`, `Bearer ${token}`)).status).toBe(403);
  });

  it("loses its IP when the account is erased", async () => {
    const { user } = await client.signIn(uniqueName());
    await admin.users.update(user.pb_id, { users_status: "已注销" });
    expect(await admin.registrationOf(user.pb_id)).toMatchObject({ registered_ip: "", registered_appid: WECHAT_APP_ID });
  });
});

describe("a new user's password", () => {
  const PROBE = `routerAdd("GET", "/api/test/password-hash/{id}", (e) => e.json(200, { hash: $app.findRecordById("tbl_auth_users", e.request.pathValue("id")).getString("password:hash") }));`;

  it("is no bcrypt hash, so that nothing matches it even with password auth on; one staff set is hashed as usual", async () => {
    const own = await startWithSimulator({ extraHooks: { "zz_test_password_hash.pb.js": PROBE } });
    try {
      const hashOf = async (id: string) => (await (await fetch(`${own.instance.url}/api/test/password-hash/${id}`)).json()).hash as string;
      const { user } = await api(own.instance.url).signIn(uniqueName());
      expect(await hashOf(user.pb_id)).toBe("!locked: BAI users sign in through WeChat only");
      const ownAdmin = await adminClient(own.instance.url);
      await ownAdmin.pb.collections.update("tbl_auth_users", { passwordAuth: { enabled: true, identityFields: ["users_id"] } });
      await expect(ownAdmin.users.authWithPassword(user.users_id, "!locked: BAI users sign in through WeChat only")).rejects.toMatchObject({ status: 400 });
      await ownAdmin.users.update(user.pb_id, { password: "staff-chosen-1", passwordConfirm: "staff-chosen-1" });
      expect(await hashOf(user.pb_id)).toMatch(/^\$2a\$04\$/);
      expect((await ownAdmin.users.authWithPassword(user.users_id, "staff-chosen-1")).record.id).toBe(user.pb_id);
    } finally {
      await own.close();
    }
  });
});
