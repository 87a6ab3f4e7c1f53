// What ops see: start-up without WeChat settings, migrations on existing data, and logs
// and console output that never carry a secret. Each case runs its own real PocketBase.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { auditTrail } from "../support/audit-trail";
import { allLogs } from "../support/logs";
import { startPocketBase, startWithSimulator, type PocketBaseInstance } from "../support/pocketbase";
import { codes, simulator, uniqueName, WECHAT_SECRET } from "../support/wechat";
import { failureBody } from "../support/responses";

// A simulator and a PocketBase of the test's own, stopped and removed whatever happens.
async function withOwnInstance(
  envOverrides: Record<string, string>,
  use: (instance: PocketBaseInstance) => Promise<void>,
  extraHooks?: Record<string, string>,
) {
  const own = await startWithSimulator({ env: envOverrides, extraHooks });
  try {
    await use(own.instance);
  } finally {
    await own.close();
  }
}

describe("without WECHAT_APPID and WECHAT_SECRET", () => {
  let instance: PocketBaseInstance;
  beforeAll(async () => {
    instance = await startPocketBase({ env: {} });
  });
  afterAll(async () => {
    await instance.stop();
    instance.remove();
  });

  it("starts, serves health and warns", async () => {
    expect((await api(instance.url).post("/api/system/health")).status).toBe(200);
    expect(instance.output()).toContain("WeChat is not configured");
  });

  it("answers login with a clear 500 and writes nothing", async () => {
    const response = await api(instance.url).login(codes.loginAs(uniqueName()));
    expect(response.status).toBe(500);
    expect(response.body).toEqual(failureBody(500, "wechat_not_configured", "WeChat is not configured: 服务端未配置微信小程序 appid/secret"));
    expect(await (await adminClient(instance.url)).countUsers()).toBe(0);
  });
});

describe("with a wrong WECHAT_SECRET", () => {
  it("answers login with a 500 that points at the configuration, writing nothing", async () => {
    await withOwnInstance({ WECHAT_SECRET: "not-the-secret" }, async (instance) => {
      const response = await api(instance.url).login(codes.loginAs(uniqueName()));
      expect(response.status).toBe(500);
      expect(response.body).toEqual(failureBody(500, "wechat_misconfigured", "服务端微信配置错误"));
      expect(await (await adminClient(instance.url)).countUsers()).toBe(0);
    });
  });
});

// Test-only: sets a day's counter row straight in the database, as many registrations would.
const SET_USERS_ID_COUNTER_ROUTE = `routerAdd("POST", "/api/test/users-id-counter", (e) => {
  const body = e.requestInfo().body;
  $app.db().newQuery("INSERT INTO _bai_users_id_counters VALUES ({:day}, {:last})").bind({ day: body.day, last: body.last }).execute();
  return e.noContent(204);
}, $apis.requireSuperuserAuth());`;

describe("users_id past 9999 registrations in a day", () => {
  it("grows a fifth digit and keeps counting, past what staff gave out", async () => {
    await withOwnInstance({}, async (instance) => {
      const admin = await adminClient(instance.url);
      const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date()).split("-");
      const today = `U${parts.join("")}`;
      await admin.users.create({
        openid: "staff-made",
        users_id: `${today}10000`,
        users_type: "游客",
        users_status: "正常",
        password: "a-password-123",
        passwordConfirm: "a-password-123",
      });
      // The day's counter as 9,998 registrations would have left it.
      const set = await fetch(`${instance.url}/api/test/users-id-counter`, {
        method: "POST",
        headers: { authorization: await instance.superuserToken(), "content-type": "application/json" },
        body: JSON.stringify({ day: today, last: 9998 }),
      });
      expect(set.status).toBe(204);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await api(instance.url).signIn(uniqueName())).user.users_id);
      expect(ids).toEqual([`${today}9999`, `${today}10001`, `${today}10002`]);
    }, { "zz_test_users_id_counter.pb.js": SET_USERS_ID_COUNTER_ROUTE });
  });
});

describe("migrations", () => {
  it("apply to an instance that already has them and keep its users", async () => {
    await withOwnInstance({}, async (first) => {
      const { user } = await api(first.url).signIn(uniqueName());
      await first.stop();

      // The same pb_data again: the migration is recorded as applied and skipped.
      await first.restart();
      expect((await api(first.url).signIn(uniqueName())).user.users_id).not.toBe(user.users_id);
      await first.stop();

      // The migration run anew (as if under another name) over the existing collections.
      const migrationsDir = mkdtempSync(join(tmpdir(), "bai-migrations-"));
      for (const file of readdirSync(join(projectRoot, "pb_migrations"))) {
        copyFileSync(join(projectRoot, "pb_migrations", file), join(migrationsDir, file));
        copyFileSync(join(projectRoot, "pb_migrations", file), join(migrationsDir, file.replace(/^\d+/, (time) => String(Number(time) + 1))));
      }
      const again = await startPocketBase({ dataDir: first.dataDir, migrationsDir });
      try {
        const admin = await adminClient(again.url);
        expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_id: user.users_id, openid: user.openid });
        const collection = await admin.pb.collections.getOne("tbl_auth_users");
        expect(collection.indexes.filter((sql: string) => sql.includes("idx_tbl_auth_users_openid"))).toHaveLength(1);
        expect(collection.passwordAuth.enabled).toBe(false);
      } finally {
        await again.stop();
        rmSync(migrationsDir, { recursive: true, force: true });
      }
    });
  });
});

describe("secrets", () => {
  let own: Awaited<ReturnType<typeof startWithSimulator>>;
  let instance: PocketBaseInstance;
  beforeAll(async () => {
    own = await startWithSimulator({ env: { WECHAT_TIMEOUT_S: "1" } });
    instance = own.instance;
  });
  afterAll(() => own.close());

  it("never reach a response, a log or the console, whatever happens", async () => {
    const client = api(instance.url);
    const answers: string[] = [];
    const { token } = await client.signIn(uniqueName());
    for (const scenario of ["invalid", "busy", "http500", "garbage", "reset", "hang", "ratelimit"]) {
      answers.push((await client.login(codes.scenario(scenario))).text);
      answers.push((await client.profile(token, validProfile({ users_phone_code: codes.scenario(scenario) }))).text);
    }
    answers.push((await client.profile(token, validProfile({ users_phone_code: codes.phone("13812345678") }))).text);
    await simulator(own.simulator.url).setStableTokenMode("hang");
    await simulator(own.simulator.url).revokeAccessTokens();
    answers.push((await client.profile(token, validProfile())).text);
    await simulator(own.simulator.url).setStableTokenMode("ok");
    answers.push((await client.refreshToken(token)).text);
    // A successful refresh's record is its audit row, not a log line: the last request is a logout.
    answers.push((await client.post("/api/wechat/logout", undefined, { token })).text);

    const accessTokens = (await simulator(own.simulator.url).calls("/wxa/business/getuserphonenumber")).map((call) => call.query.access_token);
    expect(accessTokens.length).toBeGreaterThan(0);
    const logs = JSON.stringify(await allLogs(instance));
    expect(logs, "the logs hold every request, the last one included").toContain("/api/wechat/logout");
    const trail = JSON.stringify(await auditTrail(instance.url).find());
    expect(trail).toContain('"refresh"');
    for (const [where, text] of [
      ["responses", answers.join("\n")],
      ["logs", logs],
      ["the audit trail", trail],
      ["console", instance.output()],
    ]) {
      expect(text, where).not.toContain(WECHAT_SECRET);
      expect(text, where).not.toMatch(/session_key/i);
      for (const accessToken of accessTokens) expect(text, where).not.toContain(accessToken);
      expect(text, where).not.toMatch(/goroutine|\.go:\d+|at .*\.js:\d+/);
    }
    for (const [where, text] of [
      ["logs", logs],
      ["the audit trail", trail],
      ["console", instance.output()],
    ]) {
      expect(text, where).not.toContain(token);
      expect(text, where).not.toContain("13812345678");
    }
  });
});
