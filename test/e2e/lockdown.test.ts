// PocketBase's own API, tried as a guest and as a signed-in mini-program user: nobody can
// read another user, create or change users, read companies, or sign in another way.
// docs/security.md lists the same endpoints with their verdicts.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { uniqueName } from "../support/wechat";

const client = api();
const USERS = "/api/collections/tbl_auth_users";
const COMPANIES = "/api/collections/tbl_company";
let admin: Awaited<ReturnType<typeof adminClient>>;
let me: { token: string; id: string };
let other: { id: string };

beforeAll(async () => {
  admin = await adminClient();
  const mine = await client.signIn(uniqueName());
  me = { token: mine.token, id: mine.user.pb_id };
  other = { id: (await client.signIn(uniqueName())).user.pb_id };
  await admin.companies.create({ company_id: `LOCK${Date.now()}`, company_name: "锁定测试公司" });
});

async function call(method: string, path: string, token?: string, body: unknown = {}) {
  const response = await fetch(`${client.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
    body: method === "GET" ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

// [what, method, path, body, guest status, user status]
const endpoints: Array<[string, string, () => string, unknown, number, number]> = [
  ["list users", "GET", () => `${USERS}/records`, undefined, 403, 403],
  ["view another user", "GET", () => `${USERS}/records/${other.id}`, undefined, 404, 404],
  ["create a user", "POST", () => `${USERS}/records`, { openid: "forged", users_id: "U202601010001", users_type: "注册用户", users_status: "正常" }, 403, 403],
  ["change own users_type", "PATCH", () => `${USERS}/records/${me.id}`, { users_type: "注册用户" }, 403, 403],
  ["change own openid, unionid, users_id, company_id", "PATCH", () => `${USERS}/records/${me.id}`, { openid: "o", unionid: "u", users_id: "U1", company_id: "C1" }, 403, 403],
  ["change another user", "PATCH", () => `${USERS}/records/${other.id}`, { users_name: "x" }, 403, 403],
  ["delete own account", "DELETE", () => `${USERS}/records/${me.id}`, undefined, 403, 403],
  ["list companies", "GET", () => `${COMPANIES}/records`, undefined, 403, 403],
  ["view a company", "GET", () => `${COMPANIES}/records/anything`, undefined, 403, 403],
  ["create a company", "POST", () => `${COMPANIES}/records`, { company_id: "C2" }, 403, 403],
  ["sign in with a password", "POST", () => `${USERS}/auth-with-password`, { identity: "a@example.com", password: "12345678" }, 403, 403],
  ["sign in with OAuth2", "POST", () => `${USERS}/auth-with-oauth2`, { provider: "google", code: "x", codeVerifier: "x", redirectURL: "http://x" }, 403, 403],
  ["request an OTP", "POST", () => `${USERS}/request-otp`, { email: "a@example.com" }, 403, 403],
  ["sign in with an OTP", "POST", () => `${USERS}/auth-with-otp`, { otpId: "x", password: "x" }, 403, 403],
  ["request a password reset", "POST", () => `${USERS}/request-password-reset`, { email: "a@example.com" }, 400, 400],
  // Always 204, whether or not the address exists (no account enumeration); our users have no email.
  ["request a verification", "POST", () => `${USERS}/request-verification`, { email: "a@example.com" }, 204, 204],
  ["confirm a password reset", "POST", () => `${USERS}/confirm-password-reset`, { token: "x", password: "12345678", passwordConfirm: "12345678" }, 400, 400],
  ["confirm a verification", "POST", () => `${USERS}/confirm-verification`, { token: "x" }, 400, 400],
  ["request an email change", "POST", () => `${USERS}/request-email-change`, { newEmail: "someone@example.com" }, 401, 403],
  ["confirm an email change", "POST", () => `${USERS}/confirm-email-change`, { token: "x", password: "x" }, 400, 400],
  ["impersonate another user", "POST", () => `${USERS}/impersonate/${other.id}`, { duration: 60 }, 401, 403],
  // Our records route is PocketBase's own update for wx.request: the same null rules.
  ["change own users_type through /api/wechat/records", "POST", () => `/api/wechat/records/tbl_auth_users/${me.id}`, { users_type: "注册用户" }, 403, 403],
  ["change another user through /api/wechat/records", "POST", () => `/api/wechat/records/tbl_auth_users/${other.id}`, { users_name: "x" }, 403, 403],
  ["change a company through /api/wechat/records", "POST", () => "/api/wechat/records/tbl_company/anything", { company_name: "x" }, 403, 403],
  ["change an avatar through /api/wechat/records", "POST", () => "/api/wechat/records/tbl_user_avatars/anything", { status: "使用中" }, 403, 403],
  ["change the logout denylist through /api/wechat/records", "POST", () => "/api/wechat/records/bai_revoked_tokens/anything", { token_hash: "x" }, 403, 403],
  ["run a batch", "POST", () => "/api/batch", { requests: [{ method: "PATCH", url: `${USERS}/records/any`, body: { users_type: "注册用户" } }] }, 403, 403],
  ["read the registration policy", "GET", () => "/api/collections/tbl_settings/records", undefined, 403, 403],
  ["change the registration policy", "POST", () => "/api/collections/tbl_settings/records", { registration_policy: "open" }, 403, 403],
  ["list invite codes", "GET", () => "/api/collections/tbl_invite_codes/records", undefined, 403, 403],
  ["make an invite code", "POST", () => "/api/collections/tbl_invite_codes/records", { code: "FORGED", uses_left: 99 }, 403, 403],
  ["read the collections", "GET", () => "/api/collections", undefined, 401, 403],
  ["read the settings", "GET", () => "/api/settings", undefined, 401, 403],
  ["read the logs", "GET", () => "/api/logs", undefined, 401, 403],
  ["list the backups", "GET", () => "/api/backups", undefined, 401, 403],
  ["create a backup", "POST", () => "/api/backups", { name: "stolen.zip" }, 401, 403],
  ["list superusers", "GET", () => "/api/collections/_superusers/records", undefined, 403, 403],
];

describe("PocketBase's own endpoints", () => {
  it.each(endpoints)("refuse to %s", async (_, method, path, body, guestStatus, userStatus) => {
    const before = await admin.users.getOne(me.id);
    expect((await call(method, path(), undefined, body)).status).toBe(guestStatus);
    expect((await call(method, path(), me.token, body)).status).toBe(userStatus);
    expect(await admin.users.getOne(me.id)).toEqual(before);
    expect(await admin.countUsers('openid = "forged"')).toBe(0);
  });

  it("let a user view only their own record", async () => {
    const own = await call("GET", `${USERS}/records/${me.id}`, me.token);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.text).id).toBe(me.id);
    expect((await call("GET", `${USERS}/records/${me.id}`)).status).toBe(404);
  });

  it("show that no way of signing in is enabled", async () => {
    const methods = JSON.parse((await call("GET", `${USERS}/auth-methods`)).text);
    expect(methods.password.enabled).toBe(false);
    expect(methods.oauth2.enabled).toBe(false);
    expect(methods.otp.enabled).toBe(false);
    expect(methods.mfa.enabled).toBe(false);
  });

  // A file token opens protected files; neither of our collections has a file field.
  it("give a file token only to a signed-in user, and there is no file it opens", async () => {
    expect((await call("POST", "/api/files/token")).status).toBe(401);
    const issued = await call("POST", "/api/files/token", me.token);
    expect(issued.status).toBe(200);
    expect(JSON.parse(issued.text).token).toEqual(expect.any(String));
    for (const name of ["tbl_auth_users", "tbl_company"]) {
      const collection = await admin.pb.collections.getOne(name);
      expect(collection.fields.filter((field: { type: string }) => field.type === "file"), name).toEqual([]);
    }
    // Avatars are public on purpose (<image src> sends no token): their file field is not protected.
    const avatars = await admin.pb.collections.getOne("tbl_user_avatars");
    expect(avatars.fields.filter((field: { type: string }) => field.type === "file").map((field: { name: string; protected: boolean }) => [field.name, field.protected])).toEqual([["image", false]]);
  });

  it("refresh only valid tokens, like our refresh-token", async () => {
    expect((await call("POST", `${USERS}/auth-refresh`)).status).toBe(401);
    expect((await call("POST", `${USERS}/auth-refresh`, me.token)).status).toBe(200);
  });
});

// A minimal server-sent-events client: PocketBase's realtime is SSE over GET /api/realtime.
async function subscribe(token: string, subscriptions: string[]) {
  const controller = new AbortController();
  const response = await fetch(`${client.baseUrl}/api/realtime`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const events: string[] = [];
  let buffer = "";
  let resolveClientId: (id: string) => void;
  const clientId = new Promise<string>((resolve) => (resolveClientId = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id:(.*)$/m.exec(event)?.[1]?.trim();
          if (/^event:PB_CONNECT$/m.test(event) && id) resolveClientId(id);
          else events.push(event);
        }
      }
    } catch {
      // aborted
    }
  })();
  const subscribed = await call("POST", "/api/realtime", token, { clientId: await clientId, subscriptions });
  return { subscribed, events, close: () => controller.abort() };
}

// Waits for an event whose text contains `marker`: proof that the stream is alive and delivering.
async function eventContaining(watcher: { events: string[] }, marker: string, timeoutMs = 5000): Promise<string> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const event = watcher.events.find((text) => text.includes(marker));
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no realtime event with "${marker}" within ${timeoutMs} ms; got:\n${watcher.events.join("\n")}`);
}

describe("realtime", () => {
  it("tells a user about their own record, and nothing about other users or companies", async () => {
    const watcher = await subscribe(me.token, ["tbl_auth_users", `tbl_auth_users/${other.id}`, "tbl_company", `tbl_auth_users/${me.id}`]);
    try {
      expect(watcher.subscribed.status).toBe(204);
      await admin.users.update(other.id, { users_name: "changed while watched" });
      await admin.companies.create({ company_id: `RT${Date.now()}`, company_name: "实时测试" });
      // The owed event comes last: PocketBase decides who hears of a change, and hands them the event, before the change's
      // request returns, so anything the user could hear of the first two is on its way before this.
      await admin.users.update(me.id, { users_name: "seen by its owner" });
      expect(JSON.parse(/^data:(.*)$/m.exec(await eventContaining(watcher, "seen by its owner"))![1]).record.id).toBe(me.id);
      expect(watcher.events.join("\n")).not.toContain("changed while watched");
      expect(watcher.events.join("\n")).not.toContain("实时测试");
      expect(watcher.events.join("\n")).not.toContain(other.id);
    } finally {
      watcher.close();
    }
  });
});
