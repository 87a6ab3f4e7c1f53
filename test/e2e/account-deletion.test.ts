// Account deletion (注销): POST /api/wechat/delete-account, the cooling-off period, a login that
// cancels it, the erasure cron, staff starting and cancelling deletions in the admin API, and
// a deletion that survives SIGKILL at any point.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { inParallel } from "../support/concurrency";
import { aMinuteAgo, runCronJob, waitUntil } from "../support/lifecycle";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { failures } from "../support/responses";
import { codes, simulator, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;
const DAY_MS = 24 * 60 * 60 * 1000;
const ERASURE = "bai_account_erasure";

beforeAll(async () => {
  admin = await adminClient();
});

const deletionPending = { code: 403, msg: "账号注销中,重新登录即可撤销注销", data: {} };
const accountDeleted = { code: 410, msg: "账号已注销", data: {} };
const nativeStatus = async (token: string, method: string, path: string) =>
  (await fetch(`${client.baseUrl}${path}`, { method, headers: { authorization: token } })).status;

const impersonate = async (id: string) => (await admin.pb.collection("tbl_auth_users").impersonate(id, 60)).authStore.token;

async function registeredUser(name = uniqueName("union")) {
  const { token, user } = await client.signIn(name);
  expect((await client.profile(token, validProfile())).status).toBe(200);
  return { token, id: user.pb_id as string, usersId: user.users_id as string, name };
}

describe("POST /api/wechat/delete-account", () => {
  it("starts a 15-day cooling-off period and voids every token of the user at once", async () => {
    const { token, id, name } = await registeredUser();
    const other = await client.signIn(name);
    const before = Date.now();
    const response = await client.post("/api/wechat/delete-account", undefined, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: "注销申请已提交,冷静期内重新登录即可撤销", data: { status: "deletion_pending", deletion_due: expect.any(String) } });
    const due = Date.parse(response.body.data.deletion_due);
    expect(due).toBeGreaterThanOrEqual(before + 15 * DAY_MS - 1000);
    expect(due).toBeLessThanOrEqual(Date.now() + 15 * DAY_MS);

    const stored = await admin.users.getOne(id);
    expect(stored).toMatchObject({ users_status: "注销中", users_name: "张三" });
    expect(Date.parse(stored.users_deletion_due)).toBe(due);

    // Like any token PocketBase can't verify: 401, learning nothing about the account.
    for (const dead of [token, other.token]) {
      expect((await client.refreshToken(dead)).body).toEqual(failures.invalidToken);
      expect((await client.profile(dead, validProfile())).body).toEqual(failures.invalidToken);
      expect((await client.post("/api/wechat/delete-account", undefined, { token: dead })).body).toEqual(failures.invalidToken);
      expect(await nativeStatus(dead, "POST", "/api/collections/tbl_auth_users/auth-refresh")).toBe(401);
      expect(await nativeStatus(dead, "GET", `/api/collections/tbl_auth_users/records/${id}`)).toBe(401);
    }
    // A token verified after the request, as staff's impersonation, learns the status.
    const impersonated = await impersonate(id);
    expect((await client.profile(impersonated, validProfile())).body).toEqual(deletionPending);
    expect((await client.post("/api/wechat/logout", undefined, { token: impersonated })).body).toEqual(deletionPending);
  });

  it("is not cancelled by a login the client made by itself (cancel_deletion: false), which is refused and writes nothing", async () => {
    const { token, id, name } = await registeredUser();
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    const pending = await admin.users.getOne(id);
    const implicit = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), cancel_deletion: false });
    expect(implicit.status).toBe(403);
    expect(implicit.body).toEqual(deletionPending);
    expect(await admin.users.getOne(id)).toEqual(pending);
    // The user's own choice still cancels it.
    const chosen = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), cancel_deletion: true });
    expect(chosen.body.meta.data.deletion_cancelled).toBe(true);
  });

  // A user from before the open-platform binding: this login brings a unionid they lack.
  it("is not cancelled by a login the client made by itself that brings a unionid, which writes nothing either", async () => {
    const { token, id, name } = await registeredUser();
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    const pending = await admin.users.update(id, { unionid: "" });
    const implicit = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), cancel_deletion: false });
    expect(implicit.body).toEqual(deletionPending);
    expect(await admin.users.getOne(id)).toEqual(pending);
    // The user's own login cancels the deletion and records the unionid with it.
    const chosen = await client.login(codes.loginAs(name));
    expect(chosen.body.meta.data.deletion_cancelled).toBe(true);
    expect(await admin.users.getOne(id)).toMatchObject({ users_status: "正常", unionid: `usim_${name}` });
  });

  it("refuses a cancel_deletion that is no boolean, writing nothing", async () => {
    const { token, id, name } = await registeredUser();
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    const pending = await admin.users.getOne(id);
    const response = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), cancel_deletion: "false" });
    expect(response.status).toBe(400);
    expect(response.body.data).toEqual({ cancel_deletion: { code: "validation_invalid_type", message: "必须是 true 或 false" } });
    expect(await admin.users.getOne(id)).toEqual(pending);
  });

  it("is cancelled by a login during the period, which says so", async () => {
    const { token, id, usersId, name } = await registeredUser();
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    const login = await client.login(codes.loginAs(name));
    expect(login.status).toBe(200);
    expect(login.body.meta).toMatchObject({ msg: "登录成功,已撤销账号注销", data: { status: "login_success", deletion_cancelled: true } });
    expect(login.body.meta.data.user).toMatchObject({ pb_id: id, users_id: usersId, users_name: "张三" });
    expect(await admin.users.getOne(id)).toMatchObject({ users_status: "正常", users_deletion_due: "" });
    expect((await client.refreshToken(login.body.token)).status).toBe(200);
    // The tokens from before the request stay void.
    expect((await client.refreshToken(token)).status).toBe(401);
    // The next login is an ordinary one.
    expect((await client.login(codes.loginAs(name))).body.meta.data.deletion_cancelled).toBe(false);
  });

  it("refuses a disabled account", async () => {
    const { user } = await client.signIn(uniqueName());
    await admin.users.update(user.pb_id, { users_status: "禁用" });
    // The tokens from before the disable are void; a verified one learns why.
    const token = await impersonate(user.pb_id);
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).body).toEqual(failures.accountDisabled);
    expect((await admin.users.getOne(user.pb_id)).users_status).toBe("禁用");
  });

  it("answers 401 without a token", async () => {
    expect((await client.post("/api/wechat/delete-account")).status).toBe(401);
  });
});

// The profile route reads the user, then waits for WeChat's phone number: the account may change
// in that time. The simulator holds the number until the change is made, so the race is exact.
describe("a profile update waiting for WeChat's phone number", () => {
  type SignedIn = { token: string; id: string };
  const changes: Array<[string, (user: SignedIn) => Promise<unknown>, object]> = [
    ["the user asks for deletion", ({ token }) => client.post("/api/wechat/delete-account", undefined, { token }), deletionPending],
    ["staff erase the account (已注销)", ({ id }) => admin.users.update(id, { users_status: "已注销" }), accountDeleted],
    ["staff start a deletion (注销中)", ({ id }) => admin.users.update(id, { users_status: "注销中" }), deletionPending],
    ["staff disable the account", ({ id }) => admin.users.update(id, { users_status: "禁用" }), failures.accountDisabled],
  ];

  it.each(changes)("is refused when meanwhile %s, and writes nothing", async (_, change, refusal) => {
    const { token, user } = await client.signIn(uniqueName());
    const phoneCode = codes.held("13900139000");
    const update = client.profile(token, validProfile({ users_name: "李四", users_phone_code: phoneCode }));
    await waitUntil(async () => (await wechat.calls("/wxa/business/getuserphonenumber")).some((call) => (call.body as { code?: string } | null)?.code === phoneCode));
    await change({ token, id: user.pb_id });
    const changed = await admin.users.getOne(user.pb_id);
    await wechat.release(phoneCode);
    expect((await update).body).toEqual(refusal);
    expect(await admin.users.getOne(user.pb_id)).toEqual(changed);
  });
});

describe("the erasure cron", () => {
  it("erases what is due and nothing else; the record and users_id stay; the next login is a new user", async () => {
    const due = await registeredUser();
    const notYet = await registeredUser();
    await admin.companies.create({ company_id: `DEL${Date.now()}`, company_name: "注销测试公司" });
    await admin.users.update(due.id, { company_id: "C-KEPT" });
    expect((await client.post("/api/wechat/delete-account", undefined, { token: due.token })).status).toBe(200);
    expect((await client.post("/api/wechat/delete-account", undefined, { token: notYet.token })).status).toBe(200);
    // The period is shortened the way staff would: by moving the due date.
    await admin.users.update(due.id, { users_deletion_due: aMinuteAgo() });

    await runCronJob(client.baseUrl, ERASURE);
    await waitUntil(async () => (await admin.users.getOne(due.id)).users_status === "已注销");

    expect(await admin.users.getOne(due.id)).toMatchObject({
      id: due.id,
      users_id: due.usersId,
      users_status: "已注销",
      users_deletion_due: "",
      users_name: "",
      users_phone: "",
      users_picture: "",
      openid: "",
      unionid: "",
      email: "",
      company_id: "C-KEPT",
    });
    expect(await admin.users.getOne(notYet.id)).toMatchObject({ users_status: "注销中", users_name: "张三" });

    expect((await client.refreshToken(due.token)).body).toEqual(failures.invalidToken);
    expect((await client.profile(await impersonate(due.id), validProfile())).body).toEqual(accountDeleted);
    const again = await client.login(codes.loginAs(due.name));
    expect(again.body.meta).toMatchObject({ msg: "注册成功", data: { status: "register_success", deletion_cancelled: false } });
    expect(again.body.meta.data.user).toMatchObject({ users_type: "游客", users_name: "", openid: `osim_${due.name}` });
    expect(again.body.meta.data.user.pb_id).not.toBe(due.id);
    expect(again.body.meta.data.user.users_id).not.toBe(due.usersId);
  });
});

describe("staff in the admin API", () => {
  it("start a deletion by setting 注销中, which sets the due date and voids the tokens; set 正常 to cancel it", async () => {
    const { token, id } = await registeredUser();
    const started = await admin.users.update(id, { users_status: "注销中" });
    expect(Date.parse(started.users_deletion_due)).toBeGreaterThan(Date.now() + 14 * DAY_MS);
    expect((await client.refreshToken(token)).body).toEqual(failures.invalidToken);
    const cancelled = await admin.users.update(id, { users_status: "正常" });
    expect(cancelled).toMatchObject({ users_status: "正常", users_deletion_due: "", users_name: "张三" });
  });

  it("may set the due date themselves, and erase at once by setting 已注销", async () => {
    const { id, usersId } = await registeredUser();
    const due = new Date(Date.now() + 2 * DAY_MS).toISOString().replace("T", " ");
    expect((await admin.users.update(id, { users_status: "注销中", users_deletion_due: due })).users_deletion_due).toBe(due);
    const erased = await admin.users.update(id, { users_status: "已注销" });
    expect(erased).toMatchObject({ users_id: usersId, users_status: "已注销", users_name: "", users_phone: "", openid: "", users_deletion_due: "" });
  });

  // The erasure cron would never come for it. Staff cancel a deletion by setting 正常 (see above).
  it("cannot leave a 注销中 account without a due date: the field gets an error the admin UI shows, and nothing is written", async () => {
    const { token, id } = await registeredUser();
    expect((await client.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    const pending = await admin.users.getOne(id);
    for (const change of [{ users_deletion_due: "" }, { users_deletion_due: "", users_name: "李四" }, { users_status: "注销中", users_deletion_due: "" }]) {
      const refused = await admin.users.update(id, change).catch((error) => error);
      expect(refused, JSON.stringify(change)).toMatchObject({
        status: 400,
        response: { data: { users_deletion_due: { code: "validation_deletion_due_required", message: expect.stringContaining("注销中的账号必须有注销到期时间") } } },
      });
    }
    expect(await admin.users.getOne(id)).toEqual(pending);
  });

  it("cannot bring an erased account back, nor put personal data on it", async () => {
    const { id } = await registeredUser();
    await admin.users.update(id, { users_status: "已注销" });
    await expect(admin.users.update(id, { users_status: "正常" })).rejects.toMatchObject({ status: 400 });
    expect(await admin.users.update(id, { users_name: "复活" })).toMatchObject({ users_status: "已注销", users_name: "" });
  });
});

// A 注销中 account without a due date can no longer be made through PocketBase: one left from before
// that rule, or from an edit of the database itself, is made here with SQL.
const UNDATE_ROUTE = `routerAdd("POST", "/api/test/undate", (e) => {
  const { id, updated } = e.requestInfo().body;
  $app.db().newQuery("UPDATE tbl_auth_users SET users_deletion_due = '', updated = {:updated} WHERE id = {:id}").bind({ id, updated }).execute();
  return e.noContent(204);
});
`;

describe("a 注销中 account without a due date", () => {
  let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
  let instance: PocketBaseInstance;
  let own: ReturnType<typeof api>;
  let ownAdmin: Awaited<ReturnType<typeof adminClient>>;
  beforeAll(async () => {
    sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
    instance = await startPocketBase({ env: wechatEnv(sim.url), extraHooks: { "zz_test_undate.pb.js": UNDATE_ROUTE } });
    own = api(instance.url);
    ownAdmin = await adminClient(instance.url);
  });
  afterAll(async () => {
    await instance.stop();
    instance.remove();
    await sim.close();
  });

  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().replace("T", " ");
  async function undatedPendingAccount(lastChanged: string) {
    const { token, user } = await own.signIn(uniqueName());
    expect((await own.profile(token, validProfile())).status).toBe(200);
    expect((await own.post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    expect((await fetch(`${instance.url}/api/test/undate`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: user.pb_id, updated: lastChanged }) })).status).toBe(204);
    expect(await ownAdmin.users.getOne(user.pb_id)).toMatchObject({ users_status: "注销中", users_deletion_due: "", updated: lastChanged });
    return user.pb_id as string;
  }

  // Its deletion was asked for at the latest when it last changed: erasing it a cooling-off period
  // after that never comes sooner than the user was promised.
  it("is erased by the cron once a cooling-off period has passed since it last changed, and not before", async () => {
    const overdue = await undatedPendingAccount(daysAgo(16));
    const recent = await undatedPendingAccount(daysAgo(14));
    await runCronJob(instance.url, ERASURE);
    await waitUntil(async () => (await ownAdmin.users.getOne(overdue)).users_status === "已注销");
    expect(await ownAdmin.users.getOne(overdue)).toMatchObject({ users_name: "", users_phone: "", openid: "" });
    expect(await ownAdmin.users.getOne(recent)).toMatchObject({ users_status: "注销中", users_name: "张三" });
  });

  it("gets that same due date on its next save", async () => {
    const lastChanged = daysAgo(3);
    const id = await undatedPendingAccount(lastChanged);
    const saved = await ownAdmin.users.update(id, { users_name: "李四" });
    expect(saved).toMatchObject({ users_status: "注销中", users_name: "李四" });
    expect(Date.parse(saved.users_deletion_due)).toBe(Date.parse(lastChanged) + 15 * DAY_MS);
  });
});

describe("with ACCOUNT_DELETION_COOLOFF_DAYS=0, and under SIGKILL", () => {
  let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
  let instance: PocketBaseInstance;
  beforeAll(async () => {
    sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
    instance = await startPocketBase({ env: wechatEnv(sim.url, { ACCOUNT_DELETION_COOLOFF_DAYS: "0" }) });
    await exemptLoopbackFromRateLimits(instance);
  });
  afterAll(async () => {
    await instance.stop();
    instance.remove();
    await sim.close();
  });

  it("erases the account at once", async () => {
    const own = api(instance.url);
    const ownAdmin = await adminClient(instance.url);
    const names = [uniqueName(), uniqueName()];
    for (const name of names) {
      const { token, user } = await own.signIn(name);
      const response = await own.post("/api/wechat/delete-account", undefined, { token });
      expect(response.body).toEqual({ code: 200, msg: "账号已注销", data: { status: "account_deleted", deletion_due: null } });
      expect(await ownAdmin.users.getOne(user.pb_id)).toMatchObject({ users_status: "已注销", openid: "" });
      expect((await own.refreshToken(token)).body).toEqual(failures.invalidToken);
    }
  });

  it("leaves every account either fully erased or still 注销中, and the next run finishes", { timeout: 120_000 }, async () => {
    const own = api(instance.url);
    const ownAdmin = await adminClient(instance.url);
    const run = uniqueName("crash");
    const count = 400;
    const users = await inParallel(count, 16, async (i) => (await own.signIn(`${run}n${i}`)).user.pb_id as string);
    await inParallel(count, 16, (i) =>
      ownAdmin.users.update(users[i], { users_name: "崩溃测试", users_phone: "+85261234567", users_picture: "https://example.com/a.png", users_status: "注销中", users_deletion_due: aMinuteAgo() }),
    );
    const countErased = async () => (await ownAdmin.users.getFullList({ filter: `users_status = "已注销"`, fields: "id" })).filter((user) => users.includes(user.id)).length;

    await runCronJob(instance.url, ERASURE);
    await waitUntil(async () => (await countErased()) > 0, 20_000, 5);
    await instance.stop("SIGKILL");
    await instance.restart();

    const afterCrash = await (await adminClient(instance.url)).users.getFullList({ filter: `users_name = "崩溃测试" || users_status = "已注销"` });
    const ours = afterCrash.filter((user) => users.includes(user.id));
    expect(ours).toHaveLength(count);
    const erased = ours.filter((user) => user.users_status === "已注销");
    expect(erased.length).toBeGreaterThan(0);
    expect(erased.length).toBeLessThan(count); // the kill did land mid-run
    for (const user of ours) {
      if (user.users_status === "已注销") {
        expect(user, user.id).toMatchObject({ users_name: "", users_phone: "", users_picture: "", openid: "", users_deletion_due: "" });
      } else {
        expect(user, user.id).toMatchObject({ users_status: "注销中", users_name: "崩溃测试", users_phone: "+85261234567", openid: expect.stringMatching(/^osim_/) });
        expect(user.users_deletion_due).not.toBe("");
      }
    }
    console.log(`erasure crash test: ${erased.length} of ${count} accounts erased before SIGKILL, the rest still 注销中`);

    await runCronJob(instance.url, ERASURE);
    const restarted = await adminClient(instance.url);
    await waitUntil(async () => (await restarted.countUsers(`users_status = "注销中"`)) === 0, 30_000);
    expect((await restarted.users.getFullList({ filter: `users_name = "崩溃测试"` })).length).toBe(0);
  });
});
