// A tbl_auth_users token that was presented but is no longer valid (its user disabled, its key
// rotated, logged out, expired) is refused with 401 on every route PocketBase serves, not taken for
// a guest's request: a client must be able to tell "your session is dead" from "nothing is here".
// Tokens of other collections and requests without a token are answered as before.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { uniqueName } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;
const NOTES = "bai_test_signed_in_notes";

beforeAll(async () => {
  admin = await adminClient();
  // A collection as staff would add one: readable by any signed-in user.
  await admin.pb.collections.getOne(NOTES).catch(() =>
    admin.pb.collections.create({
      name: NOTES,
      type: "base",
      listRule: '@request.auth.id != ""',
      viewRule: '@request.auth.id != ""',
      fields: [{ name: "text", type: "text" }],
    }),
  );
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method: string, path: string, token?: string) {
  const response = await fetch(`${client.baseUrl}${path}`, { method, headers: token ? { authorization: token } : {} });
  return { status: response.status, body: await response.json().catch(() => undefined), challenge: response.headers.get("www-authenticate") };
}

const ways: Array<[string, () => Promise<{ token: string; id: string }>]> = [
  [
    "disabled by staff",
    async () => {
      const { token, user } = await client.signIn(uniqueName());
      await admin.users.update(user.pb_id, { users_status: "禁用" });
      return { token, id: user.pb_id };
    },
  ],
  [
    "logged out on every device (its key rotated)",
    async () => {
      const { token, user } = await client.signIn(uniqueName());
      expect((await client.post("/api/wechat/logout", { scope: "all" }, { token })).status).toBe(200);
      return { token, id: user.pb_id };
    },
  ],
  [
    "logged out on this device",
    async () => {
      const { token, user } = await client.signIn(uniqueName());
      expect((await client.post("/api/wechat/logout", undefined, { token })).status).toBe(200);
      return { token, id: user.pb_id };
    },
  ],
  [
    "expired",
    async () => {
      const { user } = await client.signIn(uniqueName());
      const impersonated = await admin.pb.collection("tbl_auth_users").impersonate(user.pb_id, 1);
      await pause(2100);
      return { token: impersonated.authStore.token, id: user.pb_id };
    },
  ],
];

describe("a dead tbl_auth_users token", () => {
  it.each(ways)("%s: 401 on PocketBase's own routes, with a Bearer challenge", async (_, kill) => {
    const { token, id } = await kill();
    for (const [method, path] of [
      ["GET", `/api/collections/tbl_auth_users/records/${id}`],
      ["GET", `/api/collections/${NOTES}/records`],
      ["POST", "/api/collections/tbl_auth_users/auth-refresh"],
      ["POST", "/api/files/token"],
    ]) {
      for (const presented of [token, `Bearer ${token}`]) {
        const answer = await call(method, path, presented);
        expect([path, answer.status]).toEqual([path, 401]);
        expect(answer.body).toMatchObject({ status: 401 });
        expect(answer.challenge).toBe('Bearer error="invalid_token"');
      }
    }
  });
});

describe("requests that present no tbl_auth_users token", () => {
  it("are answered as before: no token, a token that names no user, a superuser's", async () => {
    expect((await call("GET", `/api/collections/${NOTES}/records`)).status).toBe(200);
    expect((await call("GET", `/api/collections/${NOTES}/records`, "not-a-token")).status).toBe(200);
    expect((await call("GET", `/api/collections/${NOTES}/records`, admin.pb.authStore.token)).status).toBe(200);
  });

  it("a live token reads what a signed-in user may", async () => {
    const { token } = await client.signIn(uniqueName());
    expect((await call("GET", `/api/collections/${NOTES}/records`, token)).status).toBe(200);
  });
});
