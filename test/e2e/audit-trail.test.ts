// The audit trail in PocketBase's logs: every account event leaves exactly one entry, with the
// record id and users_id where known, the client IP as PocketBase sees it through the proxy
// header, who acted, and nothing secret. A user's request carries its event on the log entry
// PocketBase writes for the request anyway, so that it costs no entry of its own. On an instance of its own, so that the trail holds
// nothing but this file's events, behind a proxy header as in production.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { auditLog, type AuditEntry } from "../support/audit-logs";
import { aMinuteAgo, runCronJob, waitUntil } from "../support/lifecycle";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { codes, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
let instance: PocketBaseInstance;

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
  instance = await startPocketBase({ env: wechatEnv(sim.url) });
  await exemptLoopbackFromRateLimits(instance); // staff's requests; the user's come from CLIENT_IP
  await (await adminClient(instance.url)).pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
});

afterAll(async () => {
  await instance.stop();
  instance.remove();
  await sim.close();
});

const CLIENT_IP = "203.0.113.50";
const FLUSH_MS = 3_500; // PocketBase writes its log batch 3 s after the last entry

describe("the audit trail", () => {
  it("holds exactly one entry per account event, found by one filter on users_id, with nothing secret", { timeout: 90_000 }, async () => {
    const client = api(instance.url);
    const admin = await adminClient(instance.url);
    const trail = auditLog(instance.url);
    const fromClient = { headers: { "x-real-ip": CLIENT_IP } };
    const sent: string[] = [];
    const login = async (name: string) => {
      const code = codes.loginAs(name);
      sent.push(code);
      return client.post("/api/wechat/login", { users_wx_code: code }, fromClient);
    };
    const call = (path: string, token: string, body?: unknown) => client.post(path, body, { ...fromClient, token });

    const name = uniqueName("union");
    const registered = await login(name);
    const { pb_id: id, users_id: usersId } = registered.body.meta.data.user;
    const second = await login(name);
    const refreshed = await call("/api/wechat/refresh-token", registered.body.token);
    const phoneCode = codes.phone("13800138000");
    sent.push(phoneCode);
    expect((await call("/api/wechat/profile", refreshed.body.token, validProfile({ users_name: "审计张三", users_phone_code: phoneCode }))).status).toBe(200);
    expect((await call("/api/wechat/logout", second.body.token)).status).toBe(200);
    await admin.users.update(id, { users_status: "禁用" });
    expect((await login(name)).status).toBe(403);
    await admin.users.update(id, { users_status: "正常" });
    await admin.users.update(id, { users_status: "注销中" });
    await admin.users.update(id, { users_status: "正常" });
    const beforeFirstRequest = await login(name);
    expect((await call("/api/wechat/delete-account", beforeFirstRequest.body.token)).status).toBe(200);
    const cancelling = await login(name);
    expect(cancelling.body.meta.data.deletion_cancelled).toBe(true);
    expect((await call("/api/wechat/delete-account", cancelling.body.token)).status).toBe(200);
    await admin.users.update(id, { users_deletion_due: aMinuteAgo() }); // no status change: no entry
    await runCronJob(instance.url, "bai_account_erasure");
    await waitUntil(async () => (await admin.users.getOne(id)).users_status === "已注销");
    const invalidCode = codes.scenario("invalid");
    sent.push(invalidCode);
    expect((await client.post("/api/wechat/login", { users_wx_code: invalidCode }, fromClient)).status).toBe(400);

    const expected = [
      "registration", "login", "refresh", "profile_updated", "logout",
      "account_disabled", "login_failed", "account_enabled",
      "deletion_requested", "deletion_cancelled", // by staff
      "login", "deletion_requested", "login", "deletion_cancelled", "deletion_requested", "deletion_completed",
    ];
    // The one filter staff type into the Logs UI for "the auth events of user U…".
    const byUser = `data.meta.users_id = "${usersId}"`;
    await trail.waitFor(byUser, expected.length);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_MS)); // a duplicate would be written by now
    const entries = await trail.find(byUser);
    const events = entries.map((entry) => entry.data.meta);
    expect(events.map((event) => event.event).sort()).toEqual([...expected].sort());
    expect(new Set(entries.map((entry) => entry.created)).size).toBeGreaterThan(10); // newest first, with times

    const one = (event: string, by: string) => events.filter((meta) => meta.event === event && meta.by === by);
    for (const meta of events) expect(meta, meta.event).toMatchObject({ pb_id: id, users_id: usersId });
    for (const meta of events.filter((meta) => meta.by === "user")) expect(meta.ip, meta.event).toBe(CLIENT_IP);
    for (const meta of events.filter((meta) => meta.by === "staff")) {
      expect(meta, meta.event).toMatchObject({ ip: "127.0.0.1", staff: expect.stringMatching(/^[a-z0-9]{15}$/) });
    }
    // The user's events are their requests' own entries, but for a login's second event.
    for (const entry of entries.filter((entry) => entry.data.meta.by === "user" && entry.data.meta.event !== "deletion_cancelled")) {
      expect(entry.message, entry.data.meta.event).toMatch(/^POST \/api\/wechat\//);
      expect(entry.data.type).toBe("request");
    }
    expect(entries.filter((entry) => entry.data.type !== "request").map((entry) => entry.message).sort()).toEqual(
      ["account_disabled", "account_enabled", "deletion_cancelled", "deletion_cancelled", "deletion_completed", "deletion_requested"].map((event) => `audit: ${event}`),
    );
    expect(one("deletion_completed", "cron")).toHaveLength(1);
    expect(one("deletion_requested", "staff")).toHaveLength(1);
    expect(one("deletion_cancelled", "staff")).toHaveLength(1);
    expect(one("deletion_requested", "user")).toHaveLength(2);
    expect(one("profile_updated", "user")[0].fields).toBe("users_name,users_phone,users_picture,users_type");
    expect(one("logout", "user")[0].scope).toBe("current");
    expect(one("login_failed", "user")[0]).toMatchObject({ status: 403, reason: "账号已被禁用,请联系管理员", error: "account_disabled" });

    const anonymous = await trail.waitFor(`data.meta.event = "login_failed" && data.meta.errcode = 40029`);
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0].data.meta).toEqual({ event: "login_failed", by: "user", ip: CLIENT_IP, status: 400, reason: "微信 code 无效或已过期", fields: "users_wx_code:wechat_code_invalid", error: "wechat_code_invalid", errcode: 40029 });
    expect(anonymous[0].data.status).toBe(400);

    // Nothing a log must not hold: tokens, codes, the phone number, the name.
    const everything = JSON.stringify(await trail.find(`created != ""`));
    const tokens = [registered, second, refreshed, beforeFirstRequest, cancelling].map((response) => response.body.token as string);
    for (const secret of [...tokens, ...sent, "13800138000", "8000", "审计张三"]) expect(everything).not.toContain(secret);
    expectNoUnknownKeys(entries);
  });
});

function expectNoUnknownKeys(entries: AuditEntry[]) {
  const allowed = new Set(["event", "pb_id", "users_id", "by", "ip", "staff", "scope", "fields", "status", "reason", "errcode", "error", "appid", "other_pb_id"]);
  for (const { data } of entries) for (const key of Object.keys(data.meta)) expect(allowed, `${data.meta.event}.${key}`).toContain(key);
}
