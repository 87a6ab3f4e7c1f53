import { request as httpRequest } from "node:http";
import PocketBase from "pocketbase";
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { startWithSimulator } from "../support/pocketbase";
import { api, expectContract } from "../support/api";
import { failures } from "../support/responses";
import { codes, uniqueName } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

// The token with its payload's record id replaced, and so its signature no longer valid.
function naming(token: string, id: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  return [header, Buffer.from(JSON.stringify({ ...claims, id })).toString("base64url"), signature].join(".");
}

function unsigned(token: string): string {
  const [, payload] = token.split(".");
  return [Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url"), payload, "x"].join(".");
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split(".");
  return [header, payload, (signature[0] === "A" ? "B" : "A") + signature.slice(1)].join(".");
}

describe("POST /api/wechat/refresh-token", () => {
  it("issues a new native token for the token's own user", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const response = await client.refreshToken(token);

    expect(response.status).toBe(200);
    expect(response.body.token).not.toBe(token);
    expect(response.body.record.id).toBe(user.pb_id);
    expect(response.body.meta).toEqual({ code: 200, msg: expect.any(String), data: { is_info_complete: false, user: expect.objectContaining({ pb_id: user.pb_id }) } });
    expect((await client.refreshToken(response.body.token)).status).toBe(200);
  });

  // Our routes write PocketBase's auth response themselves, to mint the token with its jti at once.
  it("answers as PocketBase's own auth-refresh does: the same record, a token of the same claims plus its own jti", async () => {
    const { token } = await client.signIn(uniqueName());
    const ours = await client.refreshToken(token);
    const pb = new PocketBase(client.baseUrl);
    pb.authStore.save(token);
    const native = await pb.collection("tbl_auth_users").authRefresh();

    expect(ours.body.record).toEqual(JSON.parse(JSON.stringify(native.record)));
    const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
    const { jti: ourJti, exp: ourExp, ...ourClaims } = claims(ours.body.token);
    const { jti: nativeJti, exp: nativeExp, ...nativeClaims } = claims(native.token);
    expect(ourClaims).toEqual(nativeClaims);
    // A random prefix the VM drew once, and its count (hooks-src/account/distinct-tokens.ts).
    expect(ourJti).toMatch(/^[A-Za-z0-9]{16}[0-9a-z]+$/);
    expect(nativeJti).toMatch(/^[A-Za-z0-9]{16}[0-9a-z]+$/);
    expect(ourJti).not.toBe(nativeJti);
    expect(Math.abs(ourExp - nativeExp)).toBeLessThanOrEqual(2);
  });

  it("needs no body", async () => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.post("/api/wechat/refresh-token", undefined, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
  });
});

// The same Authorization rules guard profile and refresh-token.
describe.each([
  ["/api/wechat/refresh-token", undefined],
  ["/api/wechat/profile", { users_name: "a", users_phone_code: "p-13800138000-x", users_picture: "https://example.com/a.png" }],
])("Authorization on %s", (path, body) => {
  const call = (headers: Record<string, string>) => client.post(path, body ?? {}, { headers });

  it("answers 401 without a token", async () => {
    const response = await call({});
    expect(response.status).toBe(401);
    expect(response.body).toEqual(failures.missingToken);
  });

  it.each([
    ["an empty bearer", () => "Bearer "],
    ["another scheme", (token: string) => `Basic ${token}`],
    ["a bare token with a tampered signature", (token: string) => tamper(token)],
    ["two tokens", (token: string) => `Bearer ${token} ${token}`],
    ["two comma-separated tokens", (token: string) => `Bearer ${token}, Bearer ${token}`],
    ["a tampered signature", (token: string) => `Bearer ${tamper(token)}`],
    ["garbage", () => "Bearer not.a.jwt"],
  ])("answers 401 for %s", async (_, header) => {
    const { token } = await client.signIn(uniqueName());
    const response = await call({ authorization: header(token) });
    expect(response.status).toBe(401);
  });

  // PocketBase reads the header so (getAuthTokenFromRequest), and its JS SDK sends the bare token.
  it.each([
    ["the bare token", (token: string) => token],
    ["a lowercase scheme", (token: string) => `bearer ${token}`],
  ])("takes %s, as PocketBase does", async (_, header) => {
    const { token } = await client.signIn(uniqueName());
    // A phone code of its own: WeChat takes each once.
    const fresh = body && { ...body, users_phone_code: codes.phone("13800138000") };
    const response = await client.post(path, fresh, { headers: { authorization: header(token) } });
    expect(response.status).toBe(200);
  });

  it("answers 401 for two Authorization headers", async () => {
    const { token } = await client.signIn(uniqueName());
    // fetch would join the two into one; node's http client sends them as two lines.
    const answer = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
      const request = httpRequest(`${client.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      });
      request.on("response", (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: new Headers(response.headers as Record<string, string>), text: body }));
      });
      request.on("error", reject).end("{}");
    });
    const response = expectContract(path, "POST", { ...answer, body: JSON.parse(answer.text) });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(failures.invalidToken);
  });

  it("answers 401 for a superuser's token", async () => {
    const response = await call({ authorization: `Bearer ${await admin.pb.authStore.token}` });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(failures.invalidToken);
  });

  // The signing key went with the record, so the token can no longer be verified.
  it("answers 401 once the token's user is deleted", async () => {
    const { token, user } = await client.signIn(uniqueName());
    await admin.users.delete(user.pb_id);
    const response = await call({ authorization: `Bearer ${token}` });
    expect(response.body).toEqual(failures.invalidToken);
  });

  // An unsigned or forged token must not tell whether the account it names exists or is disabled.
  it("answers the same 401 to a forged token, whatever account it names", async () => {
    const { token } = await client.signIn(uniqueName());
    const { user: active } = await client.signIn(uniqueName());
    const { user: disabled } = await client.signIn(uniqueName());
    await admin.users.update(disabled.pb_id, { users_status: "禁用" });
    const { user: deleted } = await client.signIn(uniqueName());
    await admin.users.delete(deleted.pb_id);
    for (const id of [active.pb_id, disabled.pb_id, deleted.pb_id]) {
      for (const forged of [naming(token, id), unsigned(naming(token, id))]) {
        const response = await call({ authorization: `Bearer ${forged}` });
        expect(response.body, `${id}`).toEqual(failures.invalidToken);
      }
    }
  });
});

describe("tokens that are not a user's own login", () => {
  it("refuses a token from another auth collection", async () => {
    const name = `staff_${Date.now()}`;
    await admin.pb.collections.create({ name, type: "auth", passwordAuth: { enabled: true }, fields: [] });
    try {
      await admin.pb.collection(name).create({ email: "someone@example.com", password: "password-123", passwordConfirm: "password-123" });
      // A client of its own, so the superuser's session stays signed in.
      const { token } = await new PocketBase(client.baseUrl).collection(name).authWithPassword("someone@example.com", "password-123");
      for (const path of ["/api/wechat/refresh-token", "/api/wechat/profile"]) {
        const response = await client.post(path, {}, { token });
        expect(response.status).toBe(401);
      }
    } finally {
      await admin.pb.collections.delete(name);
    }
  });

  it("does not trade a superuser's short impersonation token for a fresh one", async () => {
    const { user } = await client.signIn(uniqueName());
    const impersonated = await admin.pb.collection("tbl_auth_users").impersonate(user.pb_id, 60);
    const response = await client.refreshToken(impersonated.authStore.token);
    expect(response.status).toBe(401);
  });

  // PocketBase's shortest token lifetime is 10 s.
  it("refuses an expired token", { timeout: 30_000 }, async () => {
    const collection = await admin.pb.collections.getOne("tbl_auth_users");
    const duration = collection.authToken.duration;
    let token: string;
    await admin.pb.collections.update("tbl_auth_users", { authToken: { ...collection.authToken, duration: 10 } });
    try {
      token = (await client.signIn(uniqueName())).token;
    } finally {
      await admin.pb.collections.update("tbl_auth_users", { authToken: { ...collection.authToken, duration } });
    }
    expect((await client.refreshToken(token!)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const response = await client.refreshToken(token!);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(failures.invalidToken);
  });
});

// Our migrations' rule (users_status = "正常") is read from the record in hand; any other rule staff
// set is PocketBase's to evaluate. Changing the rule voids every token (PocketBase renews the
// collection's token secret), so this runs on an instance of its own.
describe("an authRule staff set", () => {
  it("is honoured by login and refresh-token: a user it leaves out gets 403 auth_rule_refused and no token", async () => {
    const own = await startWithSimulator();
    try {
      const ownClient = api(own.instance.url);
      const ownAdmin = await adminClient(own.instance.url);
      expect((await ownAdmin.pb.collections.getOne("tbl_auth_users")).authRule).toBe('users_status = "正常"');
      await ownAdmin.pb.collections.update("tbl_auth_users", { authRule: 'users_status = "正常" && users_name != "停用"' });
      const name = uniqueName();
      const user = await ownClient.signIn(name);
      const other = await ownClient.signIn(uniqueName());
      await ownAdmin.pb.collection("tbl_auth_users").update(user.user.pb_id, { users_name: "停用" });

      for (const refused of [await ownClient.refreshToken(user.token), await ownClient.login(codes.loginAs(name))]) {
        expect(refused.status).toBe(403);
        expect(refused.body).toMatchObject({ code: 403, error: "auth_rule_refused" });
        expect(refused.body.token).toBeUndefined();
      }
      expect((await ownClient.refreshToken(other.token)).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});
