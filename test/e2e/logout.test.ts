// POST /api/wechat/logout: `current` kills the presented token everywhere PocketBase accepts
// a token, and nothing else; `all` kills every token of the user. A dead token answers like
// any other dead token, on our routes and on PocketBase's own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { runCronJob, waitUntil } from "../support/lifecycle";
import { realtimeConnection } from "../support/realtime";
import { exemptLoopbackFromRateLimits, startPocketBase } from "../support/pocketbase";
import { failures, fieldProblem } from "../support/responses";
import { uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two devices of one WeChat user, signed in within the same second: every token is its own.
async function signInOnTwoDevices(name = uniqueName()) {
  const [phone, pc] = await Promise.all([client.signIn(name), client.signIn(name)]);
  expect(pc.token).not.toBe(phone.token);
  return { phone: phone.token, pc: pc.token, id: phone.user.pb_id as string };
}

// Where a token of ours is accepted: our routes, and PocketBase's own record view and auth-refresh.
async function whereTokenWorks(token: string, id: string) {
  const native = (method: string, path: string) => fetch(`${client.baseUrl}${path}`, { method, headers: { authorization: token } }).then((response) => response.status);
  return {
    refreshToken: (await client.refreshToken(token)).status,
    profile: (await client.profile(token, validProfile({ users_name: "试图更新" }))).status,
    ownRecord: await native("GET", `/api/collections/tbl_auth_users/records/${id}`),
    authRefresh: await native("POST", "/api/collections/tbl_auth_users/auth-refresh"),
  };
}

const alive = { refreshToken: 200, profile: 200, ownRecord: 200, authRefresh: 200 };
// A dead token is refused, not taken for a guest's request: 401 on PocketBase's own routes too.
const dead = { refreshToken: 401, profile: 401, ownRecord: 401, authRefresh: 401 };

describe("POST /api/wechat/logout", () => {
  it("scope current: the presented token dies everywhere, realtime included; the other device stays signed in", async () => {
    const { phone, pc, id } = await signInOnTwoDevices();
    const phoneWatch = await realtimeConnection(client.baseUrl);
    const pcWatch = await realtimeConnection(client.baseUrl);
    try {
      expect(await phoneWatch.subscribe([`tbl_auth_users/${id}`], phone)).toBe(204);
      expect(await pcWatch.subscribe([`tbl_auth_users/${id}`], pc)).toBe(204);

      const response = await client.post("/api/wechat/logout", undefined, { token: phone });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ code: 200, msg: "已退出登录", data: { status: "logout_success", scope: "current" } });

      await admin.users.update(id, { company_id: "SEEN-AFTER-LOGOUT" });
      await pause(500);
      expect(phoneWatch.events.join("\n")).not.toContain("SEEN-AFTER-LOGOUT");
      expect(pcWatch.events.join("\n")).toContain("SEEN-AFTER-LOGOUT");
      // Subscribing again with the dead token is refused; the connection stays a guest's: still nothing.
      expect(await phoneWatch.subscribe([`tbl_auth_users/${id}`], phone)).toBe(401);
      await admin.users.update(id, { company_id: "SEEN-AFTER-RESUBSCRIBE" });
      await pause(500);
      expect(phoneWatch.events.join("\n")).not.toContain("SEEN-AFTER-RESUBSCRIBE");

      expect(await whereTokenWorks(phone, id)).toEqual(dead);
      expect(await whereTokenWorks(pc, id)).toEqual(alive);
    } finally {
      phoneWatch.close();
      pcWatch.close();
    }
  });

  it("scope current is the default for an empty JSON body too", async () => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.post("/api/wechat/logout", undefined, { token, headers: { "content-type": "application/json" } });
    expect(response.body.data).toEqual({ status: "logout_success", scope: "current" });
    expect((await client.refreshToken(token)).status).toBe(401);
  });

  it("scope all: every token of the user dies, on every device, realtime included", async () => {
    const { phone, pc, id } = await signInOnTwoDevices();
    const pcWatch = await realtimeConnection(client.baseUrl);
    try {
      expect(await pcWatch.subscribe([`tbl_auth_users/${id}`], pc)).toBe(204);
      const response = await client.post("/api/wechat/logout", { scope: "all" }, { token: phone });
      expect(response.body).toEqual({ code: 200, msg: "已退出登录", data: { status: "logout_success", scope: "all" } });
      await admin.users.update(id, { company_id: "SEEN-AFTER-LOGOUT-ALL" });
      await pause(500);
      expect(pcWatch.events.join("\n")).not.toContain("SEEN-AFTER-LOGOUT-ALL");
      expect(await whereTokenWorks(phone, id)).toEqual(dead);
      expect(await whereTokenWorks(pc, id)).toEqual(dead);
    } finally {
      pcWatch.close();
    }
    // Logging in again works as before.
    expect((await client.refreshToken((await client.signIn((await admin.users.getOne(id)).openid.replace(/^osim_/, ""))).token)).status).toBe(200);
  });

  it.each([["current"], ["all"]])("twice with the same token (scope %s): the second answers 401", async (scope) => {
    const { token } = await client.signIn(uniqueName());
    expect((await client.post("/api/wechat/logout", { scope }, { token })).status).toBe(200);
    const again = await client.post("/api/wechat/logout", { scope }, { token });
    expect(again.status).toBe(401);
    expect(again.body).toEqual(failures.invalidToken);
  });

  it("without a token, or with a malformed one, answers 401", async () => {
    expect((await client.post("/api/wechat/logout")).status).toBe(401);
    expect((await client.post("/api/wechat/logout", undefined, { token: "not.a.token" })).body).toEqual(failures.invalidToken);
  });

  it.each([
    [{ scope: "everything" }, "validation_invalid_value"],
    [{ scope: 1 }, "validation_invalid_type"],
  ])("refuses %j with 400 and keeps the token alive", async (body, code) => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.post("/api/wechat/logout", body, { token });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(fieldProblem("scope", code));
    expect((await client.refreshToken(token)).status).toBe(200);
  });

  it("keeps its denylist to superusers", async () => {
    const { token } = await client.signIn(uniqueName());
    for (const authorization of [undefined, token]) {
      const headers = { "content-type": "application/json", ...(authorization ? { authorization } : {}) };
      const list = await fetch(`${client.baseUrl}/api/collections/bai_revoked_tokens/records`, { headers });
      const create = await fetch(`${client.baseUrl}/api/collections/bai_revoked_tokens/records`, { method: "POST", headers, body: JSON.stringify({ token_hash: "x", expires: "2099-01-01 00:00:00.000Z" }) });
      expect([list.status, create.status]).toEqual([403, 403]);
    }
  });

  it("has its expired entries swept by the cron job, and keeps the others", async () => {
    const denylist = admin.pb.collection("bai_revoked_tokens");
    const expired = await denylist.create({ token_hash: `expired${uniqueName()}`, pb_id: "x", expires: "2020-01-01 00:00:00.000Z" });
    const { token } = await client.signIn(uniqueName());
    expect((await client.post("/api/wechat/logout", undefined, { token })).status).toBe(200);
    await runCronJob(client.baseUrl, "bai_revoked_tokens_sweep");
    await waitUntil(async () => (await denylist.getList(1, 1, { filter: `id = "${expired.id}"` })).totalItems === 0);
    expect((await client.refreshToken(token)).status).toBe(401);
  });

  it("refuses a body that is not JSON, and keeps the token alive", async () => {
    const { token } = await client.signIn(uniqueName());
    expect((await client.post("/api/wechat/logout", undefined, { token, rawBody: "{scope:" })).body).toEqual(failures.malformedJson);
    expect((await client.refreshToken(token)).status).toBe(200);
  });
});

describe("a revoked token after a restart", () => {
  let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
  let instance: Awaited<ReturnType<typeof startPocketBase>>;
  beforeAll(async () => {
    sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
    instance = await startPocketBase({ env: wechatEnv(sim.url) });
    await exemptLoopbackFromRateLimits(instance);
  });
  afterAll(async () => {
    await instance.stop();
    instance.remove();
    await sim.close();
  });

  it("stays dead: the denylist is stored, not only cached", async () => {
    const own = api(instance.url);
    const name = uniqueName();
    const [first, second] = await Promise.all([own.signIn(name), own.signIn(name)]);
    expect((await own.post("/api/wechat/logout", undefined, { token: first.token })).status).toBe(200);
    await instance.stop("SIGKILL");
    await instance.restart();
    expect((await own.refreshToken(first.token)).status).toBe(401);
    expect((await fetch(`${instance.url}/api/collections/tbl_auth_users/auth-refresh`, { method: "POST", headers: { authorization: first.token } })).status).toBe(401);
    expect((await own.refreshToken(second.token)).status).toBe(200);
    for (const spelling of respellings(first.token)) expect((await own.refreshToken(spelling)).status).toBe(401);
  });
});

describe("a revoked token spelled another way", () => {
  it("is as dead as the token itself, on every path that takes a token", async () => {
    const { phone, pc, id } = await signInOnTwoDevices();
    expect((await client.post("/api/wechat/logout", undefined, { token: phone })).status).toBe(200);
    const watch = await realtimeConnection(client.baseUrl);
    try {
      for (const spelling of respellings(phone)) {
        expect(await whereTokenWorks(spelling, id)).toEqual(dead);
        expect(await watch.subscribe([`tbl_auth_users/${id}`], spelling)).toBe(401);
        expect(await nativeStatus("POST", "/api/files/token", spelling)).toBe(401);
        const batch = await fetch(`${client.baseUrl}/api/batch`, {
          method: "POST",
          headers: { authorization: spelling, "content-type": "application/json" },
          body: JSON.stringify({ requests: [{ method: "GET", url: `/api/collections/tbl_auth_users/records/${id}` }] }),
        });
        expect(batch.status).toBe(401);
      }
      // Refresh-token never mints a live token out of a dead one.
      for (const spelling of respellings(phone)) expect((await client.refreshToken(spelling)).body.token).toBeUndefined();
    } finally {
      watch.close();
    }
    expect(await whereTokenWorks(pc, id)).toEqual(alive);
  });
});

const nativeStatus = (method: string, path: string, token: string) =>
  fetch(`${client.baseUrl}${path}`, { method, headers: { authorization: token } }).then((response) => response.status);

// A JWT's signature is 32 bytes in 43 base64url characters: the last one carries two bits that
// decoders ignore, so three other spellings of every token verify as well as the token itself.
function respellings(token: string): string[] {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(token.at(-1)!);
  return [1, 2, 3].map((low) => token.slice(0, -1) + alphabet[(last & ~3) | ((last + low) & 3)]);
}
