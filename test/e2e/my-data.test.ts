// GET /api/wechat/my-data: the user's copy of everything we hold about them, and nothing of
// anyone else's, no secret, rate-limited per client IP, and itself audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, expectContract, validProfile, type ApiResponse } from "../support/api";
import { auditTrail } from "../support/audit-trail";
import { filePart, images, uploadAvatar } from "../support/avatars";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { failures } from "../support/responses";
import { codes, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const DOCUMENTS = [
  { document: "user_agreement", version: "2026-11-01", url: "https://bai.example.com/agreement.html" },
  { document: "privacy_policy", version: "2026-11-01", url: "https://bai.example.com/privacy.html" },
];

let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
let instance: PocketBaseInstance;

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
  instance = await startPocketBase({ env: wechatEnv(sim.url, { CONSENT_DOCUMENTS: JSON.stringify(DOCUMENTS), RISK_CHECK: "observe" }) });
  await exemptLoopbackFromRateLimits(instance);
  await (await adminClient(instance.url)).pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
});

afterAll(async () => {
  await instance.stop();
  instance.remove();
  await sim.close();
});

const MY_DATA = "/api/wechat/my-data";

async function myData(token: string, ip = "203.0.113.70"): Promise<ApiResponse> {
  const response = await fetch(`${instance.url}${MY_DATA}`, { headers: { authorization: `Bearer ${token}`, "x-real-ip": ip } });
  const text = await response.text();
  return expectContract(MY_DATA, "GET", { status: response.status, headers: response.headers, body: JSON.parse(text), text });
}

// A user with a bit of everything: consents, a profile with an uploaded avatar, another login, a refresh.
async function busyUser(label: string, ip: string) {
  const client = api(instance.url);
  const name = uniqueName(`${label}union`);
  const login = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), consents: DOCUMENTS.map(({ document, version }) => ({ document, version })) }, { headers: { "x-real-ip": ip } });
  const token = login.body.token as string;
  const avatar = await uploadAvatar(token, [filePart(images.png, "a.png", "image/png")], instance.url);
  expect(avatar.status).toBe(200);
  const phoneCode = codes.phone(label === "a" ? "13800138001" : "13900139002");
  expect((await client.profile(token, validProfile({ users_name: `${label}某`, users_phone_code: phoneCode, users_picture: avatar.body.data.url }))).status).toBe(200);
  const second = await client.signIn(name);
  expect((await client.refreshToken(second.token)).status).toBe(200);
  return { token, user: login.body.meta.data.user, avatarUrl: avatar.body.data.url as string, name, ip, codes: [phoneCode] };
}

describe("GET /api/wechat/my-data", () => {
  it("holds exactly the caller's data: profile, account, masked identities, consents, audit events, avatars", { timeout: 60_000 }, async () => {
    const a = await busyUser("a", "203.0.113.71");
    const b = await busyUser("b", "203.0.113.72");
    const response = await myData(a.token);
    expect(response.status).toBe(200);
    const data = response.body.data;
    const openid = `osim_${a.name}`;

    expect(data.profile).toMatchObject({ pb_id: a.user.pb_id, users_id: a.user.users_id, users_name: "a某", users_phone: "13800138001", users_picture: a.avatarUrl });
    expect(data.profile).not.toHaveProperty("openid");
    expect(data.account).toEqual({ users_status: "正常", users_deletion_due: null, users_flags: [], risk_rank: "0", risk_checked_at: expect.any(String) });
    expect(data.identities).toEqual([
      { provider: "wechat_miniprogram", appid: WECHAT_APP_ID, openid_masked: `${openid.slice(0, 3)}****${openid.slice(-4)}`, unionid_masked: expect.stringMatching(/^usi\*+.{4}$/), stored_in: "tbl_auth_users" },
      { provider: "wechat_miniprogram", appid: WECHAT_APP_ID, openid_masked: `${openid.slice(0, 3)}****${openid.slice(-4)}`, unionid_masked: expect.stringMatching(/^usi\*+.{4}$/), stored_in: "tbl_user_identities" },
    ]);
    // Newest first: the two rows of one transaction, the later one first.
    expect(data.consents.map((row: any) => [row.document, row.version, row.action, row.source, row.appid, row.ip])).toEqual([
      ["privacy_policy", "2026-11-01", "agree", "login", WECHAT_APP_ID, a.ip],
      ["user_agreement", "2026-11-01", "agree", "login", WECHAT_APP_ID, a.ip],
    ]);
    expect(data.audit_events.map((event: any) => event.event).sort()).toEqual(
      ["consent_given", "consent_given", "login", "profile_updated", "refresh", "registration", "risk_rank"].sort(),
    );
    expect(data.avatars).toEqual([{ url: a.avatarUrl, status: "使用中", created: expect.any(String) }]);

    // Everything of b, and every secret, is absent.
    const text = response.text;
    for (const absent of [b.user.pb_id, b.user.users_id, `osim_${b.name}`, b.avatarUrl, b.ip, "13900139002", a.token, openid, ...a.codes, WECHAT_SECRET, "tokenKey", "password"]) {
      expect(text, absent).not.toContain(absent);
    }
  });

  it("is audited", async () => {
    const { token, user } = await api(instance.url).signIn(uniqueName("audited"));
    expect((await myData(token)).status).toBe(200);
    const events = await auditTrail(instance.url).find(`pb_id = "${user.pb_id}" && event = "my_data_exported"`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ by: "user", ip: "203.0.113.70" });
  });

  it("does not name the staff member behind a staff event, nor where they worked from", async () => {
    const { token, user } = await api(instance.url).signIn(uniqueName("staffed"));
    const admin = await adminClient(instance.url);
    await admin.users.update(user.pb_id, { users_status: "禁用" });
    await admin.users.update(user.pb_id, { users_status: "正常" });
    const again = await api(instance.url).signIn(user.openid.slice("osim_".length));
    const events = (await myData(again.token)).body.data.audit_events.filter((event: any) => event.by === "staff");
    expect(events.map((event: any) => [event.event, event.ip])).toEqual([["account_enabled", ""], ["account_disabled", ""]]);
    expect(JSON.stringify(events)).not.toContain(admin.pb.authStore.record!.id);
    expect(token).not.toBe(again.token);
  });

  it("is rate-limited per client IP (20 a minute)", { timeout: 30_000 }, async () => {
    const { token } = await api(instance.url).signIn(uniqueName("limited"));
    const ip = "203.0.113.79";
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await myData(token, ip)).status);
    expect(statuses).toEqual(Array(20).fill(200));
    expect((await myData(token, ip)).body).toEqual(failures.rateLimited);
    expect((await myData(token, "203.0.113.80")).status).toBe(200); // another client
  });

  it("needs the user's token", async () => {
    expect((await fetch(`${instance.url}${MY_DATA}`)).status).toBe(401);
  });
});
