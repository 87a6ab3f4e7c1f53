// One person across several WeChat apps: each (appid, openid) is an identity of one user, and a
// unionid joins a new app's identity to the user who already holds it. Never a silent merge.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { waitUntil } from "../support/lifecycle";
import { fieldProblem } from "../support/responses";
import { codes, openidIn, SECOND_MINIPROGRAM, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";

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

async function auditEvents(event: string, pbId: string) {
  const logs = await admin.pb.logs.getList(1, 50, { filter: admin.pb.filter("data.meta.event = {:event} && data.meta.pb_id = {:pbId}", { event, pbId }) });
  return logs.items.map((entry) => entry.data.meta);
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
    const conflictsAudited = admin.pb.filter('data.meta.event = "login_failed" && data.meta.error = "account_conflict" && data.meta.appid = {:appid}', { appid: SECOND_MINIPROGRAM.appId });
    await waitUntil(async () => (await admin.pb.logs.getList(1, 1, { filter: conflictsAudited })).totalItems > 0);
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
