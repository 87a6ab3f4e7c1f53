// One person across several WeChat apps: each (appid, openid) is an identity of one user, and a
// unionid joins a new app's identity to the user who already holds it. Never a silent merge.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { auditTrail, flatAuditRow } from "../support/audit-trail";
import { waitUntil } from "../support/lifecycle";
import { fieldProblem } from "../support/responses";
import { codes, OFFICIAL_ACCOUNT, openidIn, SECOND_MINIPROGRAM, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

const identities = () => admin.pb.collection("tbl_user_identities");
const identitiesOf = (userId: string) => identities().getFullList({ filter: admin.pb.filter("user = {:userId}", { userId }), sort: "first_login" });
const usersWithUnionid = (unionid: string) => admin.countUsers(admin.pb.filter("unionid = {:unionid}", { unionid }));
const loginThrough = (appid: string | undefined, name: string) =>
  client.post("/api/wechat/login", appid === undefined ? { users_wx_code: codes.loginAs(name) } : { users_wx_code: codes.loginAs(name), appid });

const trail = auditTrail();
async function auditEvents(event: string, pbId: string) {
  return (await trail.find(admin.pb.filter("event = {:event} && pb_id = {:pbId}", { event, pbId }))).map(flatAuditRow);
}

describe("POST /api/wechat/login through several apps", () => {
  it("records the primary mini-program's identity of a new user", async () => {
    const name = uniqueName();
    const response = await loginThrough(undefined, name);
    expect(response.status).toBe(200);
    const [identity, ...others] = await identitiesOf(response.body.meta.data.user.pb_id);
    expect(others).toEqual([]);
    expect(identity).toMatchObject({ kind: "miniprogram", appid: WECHAT_APP_ID, openid: openidIn(WECHAT_APP_ID, name), unionid: "" });
    expect(identity.last_login).not.toBe("");
  });

  it("joins a second mini-program to the same person by unionid: linked, one user, two identities", async () => {
    const name = uniqueName("union");
    const first = await loginThrough(undefined, name);
    expect(first.body.meta.data.status).toBe("register_success");
    const second = await loginThrough(SECOND_MINIPROGRAM.appId, name);
    expect(second.status).toBe(200);
    expect(second.body.meta.data.status).toBe("linked");
    expect(second.body.meta.data.user.pb_id).toBe(first.body.meta.data.user.pb_id);
    const pbId = first.body.meta.data.user.pb_id;
    expect((await identitiesOf(pbId)).map(({ appid, openid, unionid }) => ({ appid, openid, unionid }))).toEqual([
      { appid: WECHAT_APP_ID, openid: openidIn(WECHAT_APP_ID, name), unionid: `usim_${name}` },
      { appid: SECOND_MINIPROGRAM.appId, openid: openidIn(SECOND_MINIPROGRAM.appId, name), unionid: `usim_${name}` },
    ]);
    // The user keeps the primary mini-program's openid.
    expect((await admin.users.getOne(pbId)).openid).toBe(openidIn(WECHAT_APP_ID, name));
    await waitUntil(async () => (await auditEvents("identity_linked", pbId)).length === 1);
    // And the next login through either app is a plain login.
    expect((await loginThrough(SECOND_MINIPROGRAM.appId, name)).body.meta.data.status).toBe("login_success");
  });

  it("makes another user of the second mini-program's login when WeChat gives no unionid", async () => {
    const name = uniqueName();
    const first = await loginThrough(undefined, name);
    const second = await loginThrough(SECOND_MINIPROGRAM.appId, name);
    expect(second.body.meta.data.status).toBe("register_success");
    expect(second.body.meta.data.user.pb_id).not.toBe(first.body.meta.data.user.pb_id);
    expect((await admin.users.getOne(second.body.meta.data.user.pb_id)).openid).toBe("");
  });

  it("ends concurrent first logins of one person from two apps as exactly one user", async () => {
    const name = uniqueName("union");
    const answers = await Promise.all([loginThrough(undefined, name), loginThrough(SECOND_MINIPROGRAM.appId, name)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(new Set(answers.map((answer) => answer.body.meta.data.user.pb_id)).size).toBe(1);
    expect(await usersWithUnionid(`usim_${name}`)).toBe(1);
    expect(await identitiesOf(answers[0].body.meta.data.user.pb_id)).toHaveLength(2);
  });

  it("answers 409 account_conflict when the unionid is held by two users, and writes nothing", async () => {
    const name = uniqueName("union");
    const a = await client.signIn(uniqueName());
    const b = await client.signIn(uniqueName());
    for (const user of [a, b]) {
      const [identity] = await identitiesOf(user.user.pb_id);
      await identities().update(identity.id, { unionid: `usim_${name}` });
    }
    const before = (await identities().getList(1, 1)).totalItems;
    const usersBefore = await admin.countUsers();
    const response = await loginThrough(SECOND_MINIPROGRAM.appId, name);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 409, error: "account_conflict", data: {} });
    expect((await identities().getList(1, 1)).totalItems).toBe(before);
    expect(await admin.countUsers()).toBe(usersBefore);
    const conflictsAudited = admin.pb.filter('event = "login_failed" && details.error = "account_conflict" && details.appid = {:appid}', { appid: SECOND_MINIPROGRAM.appId });
    await waitUntil(async () => (await trail.find(conflictsAudited)).length > 0);
  });

  it("logs in but stores nothing when a unionid WeChat now returns is another user's, and audits both users", async () => {
    const name = uniqueName("union");
    const holder = await loginThrough(SECOND_MINIPROGRAM.appId, name); // holds usim_<name>
    const me = await client.signIn(name); // primary app: linked to the holder...
    expect(me.user.pb_id).toBe(holder.body.meta.data.user.pb_id);
    // ...so make it a user of its own whose identity lacks the unionid, as before the app was bound.
    const other = await client.signIn(uniqueName());
    const [mine] = (await identitiesOf(holder.body.meta.data.user.pb_id)).filter((identity) => identity.appid === WECHAT_APP_ID);
    await identities().update(mine.id, { user: other.user.pb_id, unionid: "" });

    const again = await loginThrough(undefined, name);
    expect(again.status).toBe(200);
    expect(again.body.meta.data.user.pb_id).toBe(other.user.pb_id);
    expect((await identities().getOne(mine.id)).unionid).toBe("");
    await waitUntil(async () => (await auditEvents("unionid_conflict", other.user.pb_id)).length > 0);
    expect((await auditEvents("unionid_conflict", other.user.pb_id))[0]).toMatchObject({ other_pb_id: holder.body.meta.data.user.pb_id });
  });

  it.each([
    ["an appid that is not configured", "wx_not_ours", "validation_unknown_appid"],
    ["an appid that is not a mini-program's", "wx_sim_oa", "validation_unknown_appid"],
    ["an empty appid", "", "validation_required"],
    ["an appid that is not a string", 7, "validation_invalid_type"],
  ])("refuses %s with a field problem, before WeChat is asked", async (_, appid, code) => {
    const calls = (await wechat.calls("/sns/jscode2session")).length;
    const users = await admin.countUsers();
    const response = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(uniqueName()), appid });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(fieldProblem("appid", code));
    expect((await wechat.calls("/sns/jscode2session")).length).toBe(calls);
    expect(await admin.countUsers()).toBe(users);
  });
});

describe("erasure", () => {
  it("deletes the user's identities", async () => {
    const name = uniqueName("union");
    const { token, user } = await client.signIn(name);
    await loginThrough(SECOND_MINIPROGRAM.appId, name);
    expect(await identitiesOf(user.pb_id)).toHaveLength(2);
    await admin.users.update(user.pb_id, { users_status: "已注销" });
    expect(await identitiesOf(user.pb_id)).toEqual([]);
    expect((await client.refreshToken(token)).status).toBe(401);
    // The same person signs up afresh.
    expect((await loginThrough(SECOND_MINIPROGRAM.appId, name)).body.meta.data.status).toBe("register_success");
  });
});

describe("GET /api/wechat/identities", () => {
  it("lists the caller's identities with openids masked and no unionid", async () => {
    const name = uniqueName("union");
    const { token, user } = await client.signIn(name);
    await loginThrough(SECOND_MINIPROGRAM.appId, name);
    const response = await client.get("/api/wechat/identities", `Bearer ${token}`);
    expect(response.status).toBe(200);
    const listed = response.body.data.identities;
    expect(listed.map((identity: { appid: string }) => identity.appid)).toEqual([WECHAT_APP_ID, SECOND_MINIPROGRAM.appId]);
    expect(listed[0]).toMatchObject({ kind: "miniprogram", has_unionid: true });
    expect(response.text).not.toContain(openidIn(WECHAT_APP_ID, name));
    expect(response.text).not.toContain(`usim_${name}`);
    expect(listed[0].openid_masked).toMatch(/^osim\*+.{4}$/);
    expect((await identitiesOf(user.pb_id)).map((identity) => identity.id)).toEqual(listed.map((identity: { id: string }) => identity.id));
  });

  it("answers 401 without a token", async () => {
    expect((await client.get("/api/wechat/identities")).status).toBe(401);
  });
});

describe("POST /api/wechat/identities (bind)", () => {
  const bind = (token: string, appid: string, name: string) => client.post("/api/wechat/identities", { appid, code: codes.loginAs(name) }, { token });

  it("binds another app's identity to the caller, and a second bind of it changes nothing", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const otherName = uniqueName();
    const first = await bind(token, SECOND_MINIPROGRAM.appId, otherName);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ status: "bound", identity: { appid: SECOND_MINIPROGRAM.appId, kind: "miniprogram" } });
    const again = await bind(token, SECOND_MINIPROGRAM.appId, otherName);
    expect(again.body.data.status).toBe("already_bound");
    expect(await identitiesOf(user.pb_id)).toHaveLength(2);
    // Logging in through that app is now this user.
    expect((await loginThrough(SECOND_MINIPROGRAM.appId, otherName)).body.meta.data.user.pb_id).toBe(user.pb_id);
  });

  it("binds a 公众号 identity with its 网页授权 code, even a silent one that brings no unionid", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const oaName = uniqueName();
    const response = await client.post("/api/wechat/identities", { appid: OFFICIAL_ACCOUNT.appId, code: codes.oaBase(oaName) }, { token });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ status: "bound", identity: { appid: OFFICIAL_ACCOUNT.appId, kind: "official_account" } });
    // The 公众号 login now finds this user, silent or not.
    const login = await client.post("/api/wechat/oa/login", { appid: OFFICIAL_ACCOUNT.appId, code: codes.oaBase(oaName) });
    expect(login.body.meta.data.user.pb_id).toBe(user.pb_id);
  });

  it("answers a replayed bind code with the verdict WeChat gave it", async () => {
    const { token } = await client.signIn(uniqueName());
    const code = codes.scenario("invalid");
    const first = await client.post("/api/wechat/identities", { appid: SECOND_MINIPROGRAM.appId, code }, { token });
    expect(first.status).toBe(400);
    const again = await client.post("/api/wechat/identities", { appid: SECOND_MINIPROGRAM.appId, code }, { token });
    expect([again.status, again.body]).toEqual([first.status, first.body]);
  });

  it("answers 409 bind_conflict for another user's identity or unionid, and never switches accounts", async () => {
    const me = await client.signIn(uniqueName());
    const theirName = uniqueName("union");
    const them = await loginThrough(SECOND_MINIPROGRAM.appId, theirName);
    const taken = await bind(me.token, SECOND_MINIPROGRAM.appId, theirName);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 409, error: "bind_conflict" });
    // The same person's primary-app identity is new, but its unionid is theirs.
    const unionTaken = await bind(me.token, WECHAT_APP_ID, theirName);
    expect(unionTaken.body).toMatchObject({ code: 409, error: "bind_conflict" });
    expect(await identitiesOf(me.user.pb_id)).toHaveLength(1);
    expect(await identitiesOf(them.body.meta.data.user.pb_id)).toHaveLength(1);
  });

  it.each([
    [{ code: "x" }, "appid", "validation_required"],
    [{ appid: "wx_not_ours", code: "x" }, "appid", "validation_unknown_appid"],
    [{ appid: SECOND_MINIPROGRAM.appId }, "code", "validation_required"],
  ])("refuses %j with a field problem", async (body, field, code) => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.post("/api/wechat/identities", body, { token });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(fieldProblem(field, code));
  });
});

describe("DELETE /api/wechat/identities/{id} (unbind)", () => {
  const unbind = (token: string, id: string) => fetch(`${client.baseUrl}/api/wechat/identities/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } }).then(async (response) => ({ status: response.status, body: await response.json() }));

  it("unbinds one of the caller's identities", async () => {
    const name = uniqueName("union");
    const { token, user } = await client.signIn(name);
    await loginThrough(SECOND_MINIPROGRAM.appId, name);
    const [primary, second] = await identitiesOf(user.pb_id);
    const response = await unbind(token, second.id);
    expect(response).toMatchObject({ status: 200, body: { data: { status: "unbound", id: second.id } } });
    expect((await identitiesOf(user.pb_id)).map((identity) => identity.id)).toEqual([primary.id]);
  });

  it("answers 404 for another user's identity, and 409 last_identity for the last one of a user without a phone", async () => {
    const me = await client.signIn(uniqueName());
    const them = await client.signIn(uniqueName());
    const [theirs] = await identitiesOf(them.user.pb_id);
    expect(await unbind(me.token, theirs.id)).toMatchObject({ status: 404, body: { error: "identity_not_found" } });
    expect(await unbind(me.token, "nosuchidentity1")).toMatchObject({ status: 404 });
    const [mine] = await identitiesOf(me.user.pb_id);
    expect(await unbind(me.token, mine.id)).toMatchObject({ status: 409, body: { error: "last_identity" } });
    expect(await identitiesOf(me.user.pb_id)).toHaveLength(1);
    expect(await identitiesOf(them.user.pb_id)).toHaveLength(1);
  });
});

describe("POST /api/wechat/admin/merge-users (staff)", () => {
  const ORDERS = "bai_test_orders";
  beforeAll(async () => {
    await admin.pb.collections.getOne(ORDERS).catch(async () => {
      const users = await admin.pb.collections.getOne("tbl_auth_users");
      await admin.pb.collections.create({
        name: ORDERS,
        type: "base",
        fields: [
          { name: "buyer", type: "relation", collectionId: users.id, maxSelect: 1 },
          { name: "watchers", type: "relation", collectionId: users.id, maxSelect: 5 },
        ],
      });
    });
  });

  const merge = (body: unknown, token = admin.pb.authStore.token) => client.post("/api/wechat/admin/merge-users", body, { token });

  async function twoPeople() {
    const a = await client.signIn(uniqueName());
    const bName = uniqueName();
    const b = await loginThrough(SECOND_MINIPROGRAM.appId, bName);
    const bId = b.body.meta.data.user.pb_id as string;
    await admin.users.update(bId, { users_phone: "13800138000", company_id: "C-MERGE" });
    return { a, aId: a.user.pb_id as string, bId, bToken: b.body.token as string };
  }

  it("moves B's identities and relations to A, fills A's empty fields, erases B and ends both sessions", async () => {
    const { a, aId, bId, bToken } = await twoPeople();
    const third = await client.signIn(uniqueName());
    const order = await admin.pb.collection(ORDERS).create({ buyer: bId, watchers: [bId, third.user.pb_id] });
    const response = await merge({ into: aId, from: bId });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ into: aId, from: bId, moved_identities: 1 });

    expect((await identitiesOf(aId)).map((identity) => identity.appid)).toEqual([WECHAT_APP_ID, SECOND_MINIPROGRAM.appId]);
    expect(await identitiesOf(bId)).toEqual([]);
    expect(await admin.pb.collection(ORDERS).getOne(order.id)).toMatchObject({ buyer: aId, watchers: [aId, third.user.pb_id] });
    expect(await admin.users.getOne(aId)).toMatchObject({ users_phone: "13800138000", company_id: "C-MERGE", users_status: "正常" });
    expect(await admin.users.getOne(bId)).toMatchObject({ users_status: "已注销", users_phone: "" });
    // How each came in stays theirs; B's loses its IP with the erasure.
    expect(await admin.registrationOf(aId)).toMatchObject({ user: aId, registered_appid: WECHAT_APP_ID });
    expect(await admin.registrationOf(bId)).toMatchObject({ user: bId, registered_appid: SECOND_MINIPROGRAM.appId, registered_ip: "" });
    expect((await client.refreshToken(a.token)).status).toBe(401);
    expect((await client.refreshToken(bToken)).status).toBe(401);
    await waitUntil(async () => (await auditEvents("users_merged", aId)).length === 1);
    expect((await auditEvents("users_merged", aId))[0]).toMatchObject({ from_pb_id: bId, by: "staff" });
  });

  it("settles a phone conflict by the side staff name", async () => {
    const { aId, bId } = await twoPeople();
    await admin.users.update(aId, { users_phone: "13900139000" });
    const refused = await merge({ into: aId, from: bId });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "merge_conflict", data: { users_phone: { code: "merge_conflict" } } });
    const merged = await merge({ into: aId, from: bId, winners: { users_phone: "from" } });
    expect(merged.status).toBe(200);
    expect((await admin.users.getOne(aId)).users_phone).toBe("13800138000");
  });

  const refusals: Array<[string, (ids: { aId: string; bId: string }) => Promise<{ body: unknown; token?: string }>, number, string]> = [
    ["the same user twice", async ({ aId }) => ({ body: { into: aId, from: aId } }), 400, "merge_same_user"],
    ["a missing user", async ({ aId }) => ({ body: { into: aId, from: "nosuchuser0000" + "1" } }), 404, ""],
    ["a user whose deletion is pending", async ({ aId, bId }) => (await admin.users.update(bId, { users_status: "注销中" }), { body: { into: aId, from: bId } }), 409, "merge_refused_status"],
    ["an erased user", async ({ aId, bId }) => (await admin.users.update(aId, { users_status: "已注销" }), { body: { into: aId, from: bId } }), 409, "merge_refused_status"],
    ["two different unionids", async ({ aId, bId }) => (await admin.users.update(aId, { unionid: "uA" }), await admin.users.update(bId, { unionid: "uB" }), { body: { into: aId, from: bId, winners: { users_phone: "into" } } }), 409, "merge_conflict"],
    ["a mini-program user's token", async ({ aId, bId }) => ({ body: { into: aId, from: bId }, token: (await client.signIn(uniqueName())).token }), 403, "superuser_required"],
  ];

  it.each(refusals)("refuses %s and writes nothing", async (_, arrange, status, error) => {
    const { aId, bId } = await twoPeople();
    const { body, token } = await arrange({ aId, bId });
    const before = await Promise.all([admin.users.getOne(aId), admin.users.getOne(bId), identitiesOf(aId), identitiesOf(bId)]);
    const response = await merge(body, token);
    expect(response.status).toBe(status);
    if (error) expect(response.body.error).toBe(error);
    expect(await Promise.all([admin.users.getOne(aId), admin.users.getOne(bId), identitiesOf(aId), identitiesOf(bId)])).toEqual(before);
  });

  it("answers 401 without a token", async () => {
    expect((await client.post("/api/wechat/admin/merge-users", { into: "a", from: "b" })).status).toBe(401);
  });
});
