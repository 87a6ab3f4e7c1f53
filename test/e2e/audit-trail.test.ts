// The audit trail: the append-only collection bai_audit_events. Every account event leaves exactly
// one row, with the record id and users_id where known, the client IP as PocketBase sees it through
// the proxy header, who acted, and nothing secret. Rows outlive a wipe of PocketBase's logs and a
// restart, are pruned after AUDIT_RETENTION_DAYS, and staff export a period as CSV or JSON.
// On an instance of its own, behind a proxy header as in production.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, expectContract, validProfile, type ApiResponse } from "../support/api";
import { AUDIT_EVENTS, auditTrail, type AuditRow } from "../support/audit-trail";
import { aMinuteAgo, runCronJob, waitUntil } from "../support/lifecycle";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { codes, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

// A probe only this instance has: moves a user's audit rows back in time, as if written days ago.
const BACKDATE = `routerAdd("POST", "/api/test/backdate-audit", (e) => {
  const body = e.requestInfo().body;
  $app.db().newQuery("UPDATE bai_audit_events SET created = {:created} WHERE users_id = {:usersId}").bind({ created: body.created, usersId: body.users_id }).execute();
  return e.json(200, {});
});
`;

let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
let instance: PocketBaseInstance;

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
  instance = await startPocketBase({ env: wechatEnv(sim.url, { AUDIT_RETENTION_DAYS: "30" }), extraHooks: { "zz_test_backdate_audit.pb.js": BACKDATE } });
  await exemptLoopbackFromRateLimits(instance); // staff's requests; the user's come from CLIENT_IP
  await (await adminClient(instance.url)).pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
});

afterAll(async () => {
  await instance.stop();
  instance.remove();
  await sim.close();
});

const CLIENT_IP = "203.0.113.50";
const fromClient = { headers: { "x-real-ip": CLIENT_IP } };
const DAY_MS = 24 * 60 * 60 * 1000;

const asStaff = async (path: string, init: RequestInit = {}) =>
  fetch(`${instance.url}${path}`, { ...init, headers: { authorization: await instance.superuserToken(), "content-type": "application/json", ...init.headers } });

async function signedIn(name = uniqueName("audit")) {
  const response = await api(instance.url).post("/api/wechat/login", { users_wx_code: codes.loginAs(name) }, fromClient);
  expect(response.status).toBe(200);
  return { token: response.body.token as string, id: response.body.meta.data.user.pb_id as string, usersId: response.body.meta.data.user.users_id as string, name };
}

describe("the audit trail", () => {
  it("holds exactly one row per account event, found by one filter on users_id, with nothing secret", { timeout: 90_000 }, async () => {
    const client = api(instance.url);
    const admin = await adminClient(instance.url);
    const trail = auditTrail(instance.url);
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
    await admin.users.update(id, { users_deletion_due: aMinuteAgo() }); // no status change: no row
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
    // The one filter staff type into the admin UI's search bar of bai_audit_events.
    const rows = await trail.waitFor(`users_id = "${usersId}"`, expected.length);
    expect(rows.map((row) => row.event).sort()).toEqual([...expected].sort());
    expect(new Set(rows.map((row) => row.created)).size).toBeGreaterThan(10); // newest first, with times

    const one = (event: string, by: string) => rows.filter((row) => row.event === event && row.by === by);
    for (const row of rows) expect(row, row.event).toMatchObject({ pb_id: id, users_id: usersId });
    for (const row of rows.filter((row) => row.by === "user")) expect(row.ip, row.event).toBe(CLIENT_IP);
    for (const row of rows.filter((row) => row.by === "staff")) expect(row, row.event).toMatchObject({ ip: "127.0.0.1", staff: expect.stringMatching(/^[a-z0-9]{15}$/) });
    expect(one("deletion_completed", "cron")).toHaveLength(1);
    expect(one("deletion_requested", "staff")).toHaveLength(1);
    expect(one("deletion_cancelled", "staff")).toHaveLength(1);
    expect(one("deletion_requested", "user")).toHaveLength(2);
    expect(one("profile_updated", "user")[0].details).toEqual({ fields: "users_name,users_phone,users_picture,users_type" });
    expect(one("logout", "user")[0].details).toEqual({ scope: "current" });
    // A login's one detail is the app it came through, batched rows (login) included.
    expect(one("registration", "user")[0].details).toEqual({ appid: WECHAT_APP_ID });
    for (const row of one("login", "user")) expect(row.details).toEqual({ appid: WECHAT_APP_ID });
    expect(one("login_failed", "user")[0].details).toMatchObject({ status: 403, reason: "账号已被禁用,请联系管理员", error: "account_disabled" });

    const anonymous = await trail.find(`event = "login_failed" && details.errcode = 40029`);
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0]).toMatchObject({ event: "login_failed", by: "user", ip: CLIENT_IP, users_id: "", pb_id: "", staff: "" });
    expect(anonymous[0].details).toEqual({ status: 400, reason: "微信 code 无效或已过期", fields: "users_wx_code:wechat_code_invalid", error: "wechat_code_invalid", errcode: 40029 });

    // Nothing a record of events must not hold: tokens, codes, the phone number, the name.
    const everything = JSON.stringify(await trail.find());
    const tokens = [registered, second, refreshed, beforeFirstRequest, cancelling].map((response) => response.body.token as string);
    for (const secret of [...tokens, ...sent, "13800138000", "8000", "审计张三"]) expect(everything).not.toContain(secret);
    expectOnlyKnownDetails(rows);
  });

  it("outlives a wipe of PocketBase's logs and a restart, which writes the login events still in the buffer", { timeout: 60_000 }, async () => {
    const trail = auditTrail(instance.url);
    const { usersId, name } = await signedIn();
    const before = await trail.find(`users_id = "${usersId}"`);
    expect(before.map((row) => row.event)).toEqual(["registration"]);
    await signedIn(name); // a login: its row waits in the buffer, as nothing reads the trail before the stop

    expect((await asStaff("/api/logs", { method: "DELETE" })).status).toBe(204);
    await instance.stop();
    await instance.restart();
    const after = await trail.find(`users_id = "${usersId}"`);
    expect(after.map((row) => row.event)).toEqual(["login", "registration"]);
    expect(after[1]).toEqual(before[0]);
  });

  it("is pruned by bai_audit_prune once older than AUDIT_RETENTION_DAYS (30 here), and only then", { timeout: 60_000 }, async () => {
    const trail = auditTrail(instance.url);
    const old = await signedIn();
    const recent = await signedIn();
    const borderline = await signedIn();
    const backdate = async (usersId: string, days: number) =>
      expect((await fetch(`${instance.url}/api/test/backdate-audit`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ users_id: usersId, created: new Date(Date.now() - days * DAY_MS).toISOString().replace("T", " ") }),
      })).status).toBe(200);
    await backdate(old.usersId, 31);
    await backdate(borderline.usersId, 29);

    await runCronJob(instance.url, "bai_audit_prune");
    await waitUntil(async () => (await trail.find(`users_id = "${old.usersId}"`)).length === 0);
    expect(await trail.find(`users_id = "${recent.usersId}"`)).toHaveLength(1);
    expect(await trail.find(`users_id = "${borderline.usersId}"`)).toHaveLength(1);
  });

  it("refuses every change through the API, superusers included", async () => {
    const { usersId, token } = await signedIn();
    const [row] = await auditTrail(instance.url).find(`users_id = "${usersId}"`);
    const records = `/api/collections/${AUDIT_EVENTS}/records`;
    expect((await asStaff(records, { method: "POST", body: JSON.stringify({ event: "login", by: "user", users_id: usersId }) })).status).toBe(403);
    expect((await asStaff(`${records}/${row.id}`, { method: "PATCH", body: JSON.stringify({ ip: "198.51.100.1" }) })).status).toBe(403);
    expect((await asStaff(`${records}/${row.id}`, { method: "DELETE" })).status).toBe(403);
    expect((await asStaff(`/api/collections/${AUDIT_EVENTS}/truncate`, { method: "DELETE" })).status).toBe(400);
    expect(await auditTrail(instance.url).find(`users_id = "${usersId}"`)).toEqual([row]);
    // A mini-program user sees none of it.
    const own = (path: string) => fetch(`${instance.url}${path}`, { headers: { authorization: token } });
    expect((await own(records)).status).toBe(403);
    expect((await own(`${records}/${row.id}`)).status).toBe(403);
  });
});

describe("GET /api/wechat/admin/audit-export", () => {
  const exportPath = "/api/wechat/admin/audit-export";
  const download = async (query: string, authorization?: string) => {
    const response = await fetch(`${instance.url}${exportPath}?${query}`, { headers: authorization ? { authorization } : {} });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, text: bytes.toString("utf8") };
  };

  it("gives staff a period as CSV, oldest first, every column, and is itself audited", { timeout: 30_000 }, async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const { usersId, id, token } = await signedIn(uniqueName("export"));
    await api(instance.url).post("/api/wechat/logout", undefined, { ...fromClient, token });
    const to = new Date(Date.now() + 1000).toISOString();

    const answer = await download(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, await instance.superuserToken());
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toMatch(/^attachment; filename="bai-audit-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv"$/);
    expect([...answer.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a byte-order mark, for spreadsheet programs
    const lines = answer.text.split("\r\n");
    expect(lines[0]).toBe("\uFEFFcreated,event,users_id,pb_id,by,ip,staff,details");
    const ours = lines.filter((line) => line.includes(usersId));
    expect(ours).toEqual([
      expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z,registration,${usersId},${id},user,${CLIENT_IP},,"\\{""appid"":""${WECHAT_APP_ID}""\\}"$`)),
      expect.stringMatching(new RegExp(`,logout,${usersId},${id},user,${CLIENT_IP},,"\\{""scope"":""current""\\}"$`)),
    ]);
    const exported = await auditTrail(instance.url).waitFor(`event = "audit_exported"`);
    expect(exported[0]).toMatchObject({ by: "staff", staff: expect.stringMatching(/^[a-z0-9]{15}$/), details: { format: "csv", from, to } });
  });

  it("gives the same rows as JSON in the contract's envelope", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const { usersId } = await signedIn(uniqueName("export"));
    const answer = await download(`from=${encodeURIComponent(from)}&format=json`, `Bearer ${await instance.superuserToken()}`);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text);
    expectContract(exportPath, "GET", { ...answer, body } as ApiResponse);
    expect(body).toMatchObject({ code: 200, msg: "导出成功", data: { from } });
    expect(body.data.events.filter((row: AuditRow) => row.users_id === usersId).map((row: AuditRow) => row.event)).toEqual(["registration"]);
  });

  it("takes a Beijing day for a bare date, and refuses a bad period before reading anything", async () => {
    const token = await instance.superuserToken();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const answer = JSON.parse((await download(`from=${today}&format=json`, token)).text);
    expect(answer.data.from).toBe(new Date(`${today}T00:00:00+08:00`).toISOString());
    for (const [query, field] of [["", "from"], ["from=yesterday", "from"], ["from=2026-11-02&to=2026-11-01", "to"], ["from=2026-11-01&format=xlsx", "format"], ["from=2026-11-01T08:00:00", "from"]]) {
      const refused = await download(query, token);
      expect(refused.status, query).toBe(400);
      expect(Object.keys(JSON.parse(refused.text).data), query).toEqual([field]);
    }
  });

  it("is for superusers only", async () => {
    const { token } = await signedIn();
    expect(JSON.parse((await download("from=2026-01-01")).text)).toEqual({ code: 401, error: "missing_token", msg: "缺少 Authorization: Bearer <token>", message: "缺少 Authorization: Bearer <token>", data: {} });
    expect(JSON.parse((await download("from=2026-01-01", `Bearer ${token}`)).text)).toEqual({ code: 403, error: "superuser_required", msg: "仅限管理员(superuser)导出审计记录", message: "仅限管理员(superuser)导出审计记录", data: {} });
  });
});

function expectOnlyKnownDetails(rows: AuditRow[]) {
  const allowed = new Set(["scope", "fields", "status", "reason", "errcode", "error", "appid", "other_pb_id", "from_pb_id", "users_status", "replaced_pb_id"]);
  for (const row of rows) for (const key of Object.keys(row.details)) expect(allowed, `${row.event}.${key}`).toContain(key);
}
