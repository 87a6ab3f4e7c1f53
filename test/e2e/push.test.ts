// /api/wechat/push: WeChat's message push, in 明文模式 and 安全模式, against instances of their
// own (the mode is configuration), and a risky avatar verdict removing the picture; and what an
// attacker gets from it: replays (also after a restart, or under a handshake's signature),
// signatures in the logs, CPU per refusal, a VM held by a stalled body.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handshakeUrl, mediaCheckEvent, signedPush } from "../../sim/wechat-push.mjs";
import { adminClient } from "../support/admin";
import { cpuMsOf } from "../support/cpu";
import { findLeaks } from "../support/leaks";
import { allLogs } from "../support/logs";
import { api, validProfile } from "../support/api";
import { filePart, images, uploadAvatar } from "../support/avatars";
import { contractProblems } from "../support/contract";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { runCronJob, waitUntil } from "../support/lifecycle";
import { fieldProblem } from "../support/responses";
import { uniqueName, WECHAT_APP_ID, wechatEnv } from "../support/wechat";

const TOKEN = "pushToken2026";
const AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const instances: Record<"safe" | "plain", PocketBaseInstance> = {} as never;
const endpoint = (mode: "safe" | "plain") => `${instances[mode].url}/api/wechat/push`;
const keyOf = (mode: "safe" | "plain") => (mode === "safe" ? AES_KEY : "");

async function check(method: "GET" | "POST", response: Response) {
  const text = await response.text();
  const result = { status: response.status, headers: response.headers, body: response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : undefined, text };
  expect(contractProblems("/api/wechat/push", method, result), `${response.status} ${text}`).toEqual([]);
  return result;
}

const post = async (request: { url: string; body: string }) =>
  check("POST", await fetch(request.url, { method: "POST", headers: { "content-type": "application/json" }, body: request.body }));

// The first save of a verdict on an avatar whose trace_id starts with "fail-once-" fails: a push
// whose handling fails, as a database error would make it.
const FAIL_ONCE_HOOK = `onRecordUpdate((e) => {
  const traceId = e.record.getString("trace_id");
  if (traceId.startsWith("fail-once-") && e.record.getString("media_check") !== "检测中" && !$app.store().has("failed." + traceId)) {
    $app.store().set("failed." + traceId, true);
    throw new Error("a failure injected by push.test.ts");
  }
  e.next();
}, "tbl_user_avatars");
`;

// The table of used nonces, which no API of PocketBase's reaches: read, and given an expired row.
const NONCES_PROBE = `routerAdd("GET", "/api/test/push-nonces", (e) => {
  const rows = arrayOf(new DynamicModel({ nonce_key: "", expires_ms: 0 }));
  $app.db().newQuery("SELECT nonce_key, expires_ms FROM _bai_push_nonces").all(rows);
  e.json(200, rows);
}, $apis.requireSuperuserAuth());
routerAdd("POST", "/api/test/push-nonces/expired", (e) => {
  $app.db().newQuery("INSERT INTO _bai_push_nonces (nonce_key, expires_ms) VALUES ('1.expired', 1)").execute();
  e.json(200, {});
}, $apis.requireSuperuserAuth());
`;

beforeAll(async () => {
  const simulatorUrl = inject("simulatorUrl");
  [instances.safe, instances.plain] = await Promise.all([
    startPocketBase({ env: wechatEnv(simulatorUrl, { WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY }) }),
    startPocketBase({ env: wechatEnv(simulatorUrl, { WECHAT_PUSH_TOKEN: TOKEN }), extraHooks: { "zz_test_fail_once.pb.js": FAIL_ONCE_HOOK, "zz_test_push_nonces.pb.js": NONCES_PROBE } }),
  ]);
  for (const instance of Object.values(instances)) {
    await exemptLoopbackFromRateLimits(instance);
    await (await adminClient(instance.url)).pb.settings.update({ meta: { appURL: instance.url } });
  }
}, 60_000);

// After everything above, including every refusal: neither the push token nor the AES key, nor
// any other secret, is in the logs or on the console.
afterAll(async () => {
  const leaks: string[] = [];
  for (const instance of Object.values(instances)) {
    const logs = await allLogs(instance);
    await instance.stop();
    const places: Array<[string, string]> = [
      ["PocketBase's logs", JSON.stringify(logs)],
      ["PocketBase's console", instance.output()],
    ];
    leaks.push(...findLeaks(places, [TOKEN, AES_KEY]));
    instance.remove();
  }
  if (leaks.length > 0) throw new Error(`Secrets leaked: ${leaks.join("; ")}`);
});

// A user showing a freshly uploaded avatar that awaits its verdict (trace id `${tracePrefix}…`).
async function avatarInUse(mode: "safe" | "plain", tracePrefix = "trace-") {
  const client = api(instances[mode].url);
  const admin = await adminClient(instances[mode].url);
  const { token, user } = await client.signIn(uniqueName("verdict"));
  const upload = await uploadAvatar(token, [filePart(images.png)], instances[mode].url);
  const url = upload.body.data.url as string;
  await client.profile(token, validProfile({ users_picture: url }));
  const avatar = await admin.pb.collection("tbl_user_avatars").getFirstListItem(admin.pb.filter("user = {:id}", { id: user.pb_id }));
  const traceId = `${tracePrefix}${uniqueName()}`;
  await admin.pb.collection("tbl_user_avatars").update(avatar.id, { trace_id: traceId, media_check: "检测中" });
  const verdict = (suggest: string) =>
    post(signedPush(endpoint(mode), mediaCheckEvent({ appId: WECHAT_APP_ID, openid: user.openid, traceId, suggest }), { token: TOKEN, encodingAesKey: keyOf(mode), appId: WECHAT_APP_ID }));
  return { client, admin, token, user, url, avatarId: avatar.id, traceId, verdict };
}

describe("GET /api/wechat/push (the handshake)", () => {
  it.each(["safe", "plain"] as const)("answers echostr as plain text when signed with our token (%s)", async (mode) => {
    const { url, echostr } = handshakeUrl(endpoint(mode), { token: TOKEN });
    const response = await check("GET", await fetch(url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(response.text).toBe(echostr);
  });

  it.each([
    ["a forged signature", { forge: "signature" }, 401],
    ["no signature", { forge: "none" }, 401],
    ["a timestamp ten minutes old", { timestamp: String(Math.floor(Date.now() / 1000) - 600) }, 401],
  ])("refuses %s", async (_, options, status) => {
    const response = await check("GET", await fetch(handshakeUrl(endpoint("safe"), { token: TOKEN, ...options }).url));
    expect(response.status).toBe(status);
    expect(response.text).not.toContain("echostr");
  });

  it("uses up its nonce: in 明文模式 its signature cannot authorise a POST, not even a verdict", async () => {
    const { admin, avatarId, user, url, traceId } = await avatarInUse("plain");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = `hs${Date.now()}`;
    const { url: handshake } = handshakeUrl(endpoint("plain"), { token: TOKEN, timestamp, nonce });
    expect((await check("GET", await fetch(handshake))).status).toBe(200);
    // Whoever saw the handshake's URL has a valid 明文模式 signature for (timestamp, nonce).
    const forged = signedPush(endpoint("plain"), mediaCheckEvent({ appId: WECHAT_APP_ID, openid: user.openid, traceId, suggest: "risky" }), { token: TOKEN, appId: WECHAT_APP_ID, timestamp, nonce });
    expect(new URL(forged.url).searchParams.get("signature")).toBe(new URL(handshake).searchParams.get("signature"));
    expect((await post(forged)).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: url, users_flags: [] });
    expect(await admin.pb.collection("tbl_user_avatars").getOne(avatarId)).toMatchObject({ media_check: "检测中", status: "使用中" });
  });

  it("answers a replayed handshake 401", async () => {
    const { url } = handshakeUrl(endpoint("safe"), { token: TOKEN });
    expect((await check("GET", await fetch(url))).status).toBe(200);
    expect((await check("GET", await fetch(url))).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  });

  it("is off (503) where no push token is configured", async () => {
    const response = await check("GET", await fetch(`${inject("pocketbaseUrl")}/api/wechat/push`));
    expect(response.body).toEqual({ code: 503, msg: "消息推送未启用", data: {} });
  });
});

describe("POST /api/wechat/push", () => {
  const event = () => mediaCheckEvent({ appId: WECHAT_APP_ID, openid: "osim_nobody", traceId: `unknown-${uniqueName()}`, suggest: "pass" });

  it.each(["safe", "plain"] as const)("accepts a correctly signed push once and refuses its replay (%s)", async (mode) => {
    const request = signedPush(endpoint(mode), event(), { token: TOKEN, encodingAesKey: keyOf(mode), appId: WECHAT_APP_ID });
    const first = await post(request);
    expect([first.status, first.text]).toEqual([200, "success"]);
    const replay = await post(request);
    expect(replay.body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  });

  it.each([
    ["safe", "a forged msg_signature", { forge: "signature" }, 401],
    ["safe", "no signature", { forge: "none" }, 401],
    ["safe", "a message encrypted for another appid", { appId: "wx_someone_else" }, 400],
    ["safe", "a message encrypted with another key", { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" }, 400],
    ["safe", "a plaintext push", { encodingAesKey: "" }, 400],
    ["safe", "a timestamp ten minutes old", { timestamp: String(Math.floor(Date.now() / 1000) - 600) }, 401],
    ["plain", "a forged signature", { forge: "signature" }, 401],
    ["plain", "no signature", { forge: "none" }, 401],
    ["plain", "an encrypted push", { encodingAesKey: AES_KEY }, 400],
    ["plain", "a timestamp ten minutes ahead", { timestamp: String(Math.floor(Date.now() / 1000) + 600) }, 401],
  ] as const)("%s mode refuses %s", async (mode, _, options, status) => {
    const response = await post(signedPush(endpoint(mode), event(), { token: TOKEN, encodingAesKey: keyOf(mode), appId: WECHAT_APP_ID, ...options }));
    expect(response.status).toBe(status);
  });

  it("refuses a body that is not JSON", async () => {
    const request = signedPush(endpoint("plain"), {}, { token: TOKEN, appId: WECHAT_APP_ID });
    expect((await post({ ...request, body: "<xml><Event>x</Event></xml>" })).status).toBe(400);
  });

  it("safe mode refuses a forged msg_signature under a correct URL signature", async () => {
    const response = await post(signedPush(endpoint("safe"), event(), { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID, forge: "msg_signature" }));
    expect(response.body).toEqual({ code: 401, msg: "推送签名无效", data: {} });
  });

  it("safe mode refuses a push without the URL signature WeChat always sends", async () => {
    const request = signedPush(endpoint("safe"), event(), { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID });
    const url = new URL(request.url);
    url.searchParams.delete("signature");
    expect((await post({ url: url.toString(), body: request.body })).body).toEqual({ code: 401, msg: "推送缺少签名参数", data: {} });
  });

  it("uses up a signature that verified, even when the push it came with is refused", async () => {
    const request = signedPush(endpoint("plain"), event(), { token: TOKEN, appId: WECHAT_APP_ID });
    expect((await post({ ...request, body: "not json" })).status).toBe(400);
    expect((await post(request)).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  });

  it("refuses a replay after a restart: the nonces seen are stored, not only cached", async () => {
    const request = signedPush(endpoint("safe"), event(), { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID });
    expect((await post(request)).text).toBe("success");
    await instances.safe.stop("SIGKILL");
    await instances.safe.restart();
    expect((await post(request)).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  });

  it("lets WeChat's retry of a push whose handling failed in, and nothing else under its signature", async () => {
    const { admin, user, avatarId, traceId } = await avatarInUse("plain", "fail-once-");
    const verdict = (suggest: string) => mediaCheckEvent({ appId: WECHAT_APP_ID, openid: user.openid, traceId, suggest });
    const request = signedPush(endpoint("plain"), verdict("pass"), { token: TOKEN, appId: WECHAT_APP_ID });
    expect((await post(request)).status).toBe(500);
    // 明文模式's signature does not cover the body: another body under it is a forgery.
    expect((await post({ ...request, body: JSON.stringify(verdict("risky")) })).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
    expect((await post(request)).text).toBe("success");
    expect(await admin.pb.collection("tbl_user_avatars").getOne(avatarId)).toMatchObject({ media_check: "通过", status: "使用中" });
    expect((await post(request)).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  });

  it("has its used nonces swept by the cron job once they can no longer pass the window, and keeps the others", async () => {
    const url = instances.plain.url;
    const headers = { authorization: await instances.plain.superuserToken() };
    const nonces = async () => (await (await fetch(`${url}/api/test/push-nonces`, { headers })).json()) as Array<{ nonce_key: string; expires_ms: number }>;
    const nonce = `swept${Date.now()}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    expect((await post(signedPush(endpoint("plain"), event(), { token: TOKEN, appId: WECHAT_APP_ID, timestamp, nonce }))).text).toBe("success");
    expect((await fetch(`${url}/api/test/push-nonces/expired`, { method: "POST", headers })).status).toBe(200);
    const used = (await nonces()).find((row) => row.nonce_key === `${timestamp}.${nonce}`);
    expect(used?.expires_ms).toBeGreaterThanOrEqual((Number(timestamp) + 300) * 1000);
    await runCronJob(url, "bai_push_nonces_sweep");
    await waitUntil(async () => !(await nonces()).some((row) => row.nonce_key === "1.expired"));
    expect((await nonces()).map((row) => row.nonce_key)).toContain(`${timestamp}.${nonce}`);
  });

  it("keeps every signature out of PocketBase's request logs and console", async () => {
    const handshake = handshakeUrl(endpoint("plain"), { token: TOKEN });
    expect((await check("GET", await fetch(handshake.url))).status).toBe(200);
    const push = signedPush(endpoint("plain"), event(), { token: TOKEN, appId: WECHAT_APP_ID });
    expect((await post(push)).text).toBe("success");
    const encrypted = signedPush(endpoint("safe"), event(), { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID });
    expect((await post(encrypted)).text).toBe("success");
    const signatures = [handshake.url, push.url, encrypted.url].flatMap((url) => ["signature", "msg_signature"].map((name) => new URL(url).searchParams.get(name)).filter(Boolean));
    expect(signatures).toHaveLength(4);
    for (const mode of ["plain", "safe"] as const) {
      const logs = JSON.stringify(await allLogs(instances[mode]));
      expect(logs).toContain("/api/wechat/push");
      for (const signature of signatures) {
        expect(logs).not.toContain(signature);
        expect(instances[mode].output()).not.toContain(signature);
      }
    }
  });
});

// The largest body the route accepts, in 安全模式, with a well-formed Encrypt.
function largestEncryptedBody(): string {
  const envelope = (toUserName: string, encrypt: string) => JSON.stringify({ ToUserName: toUserName, Encrypt: encrypt });
  const room = 64 * 1024 - envelope("gh_test", "").length;
  return envelope("gh_test" + "0".repeat(room % 4), "QUJD".repeat(Math.floor(room / 4)));
}

describe("what a refused push costs", () => {
  it("a few milliseconds of CPU, at the largest body the route accepts", async () => {
    const body = largestEncryptedBody();
    expect(body.length).toBe(64 * 1024);
    const pid = instances.safe.pid()!;
    const requests = 20;
    const before = cpuMsOf(pid);
    for (let i = 0; i < requests; i++) {
      const forged = signedPush(endpoint("safe"), {}, { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID, forge: "signature" });
      expect((await post({ url: forged.url, body })).body).toEqual({ code: 401, msg: "推送签名无效", data: {} });
    }
    expect((cpuMsOf(pid) - before) / requests).toBeLessThan(5);
  }, 60_000);

  it("a stalled body is cut off within seconds, answered 408, and its signature is used up", async () => {
    const request = signedPush(endpoint("safe"), event(), { token: TOKEN, encodingAesKey: AES_KEY, appId: WECHAT_APP_ID });
    const started = Date.now();
    const answer = await sendHeadersThenStall(request.url, 2000, 10_000);
    // Answered and closed by the server: the helper waits for the close.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
    expect(body).toEqual({ code: 408, msg: "请求体接收超时", data: {} });
    expect(contractProblems("/api/wechat/push", "POST", { status: 408, headers: new Headers({ "content-type": "application/json" }), body, text: "" })).toEqual([]);
    expect((await post(request)).body).toEqual({ code: 401, msg: "重复的推送", data: {} });
  }, 20_000);

  const event = () => mediaCheckEvent({ appId: WECHAT_APP_ID, openid: "osim_nobody", traceId: `unknown-${uniqueName()}`, suggest: "pass" });
});

// Sends a POST's headers and the first bytes of a body of `contentLength`, then nothing more;
// resolves with whatever the server answers before it closes the connection or `giveUpMs` pass.
function sendHeadersThenStall(url: string, contentLength: number, giveUpMs: number): Promise<string> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve) => {
    let received = "";
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n{"ToUserName":`);
    });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, giveUpMs);
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("close", done);
    socket.on("error", done);
  });
}

describe("a media check verdict pushed for an avatar", () => {
  it.each(["safe", "plain"] as const)("risky removes the picture everywhere and the file, flags the account, keeps users_type (%s)", async (mode) => {
    const { client, admin, token, user, url, avatarId, verdict } = await avatarInUse(mode);
    expect((await verdict("risky")).text).toBe("success");

    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: "", users_avatar: "", users_type: "注册用户", users_flags: ["头像违规"] });
    expect(await admin.pb.collection("tbl_user_avatars").getOne(avatarId)).toMatchObject({ status: "违规", media_check: "违规", image: "" });
    expect((await fetch(url)).status).toBe(404);
    const refreshed = await client.refreshToken(token);
    expect(refreshed.body.meta.data.user.users_picture).toBe("");
    expect((await client.profile(token, validProfile({ users_picture: url }))).body).toEqual(fieldProblem("users_picture", "avatar_not_found"));
  });

  it("review keeps the picture and flags it for staff; pass just records the verdict", async () => {
    const reviewed = await avatarInUse("safe");
    await reviewed.verdict("review");
    expect(await reviewed.admin.users.getOne(reviewed.user.pb_id)).toMatchObject({ users_picture: reviewed.url, users_flags: ["头像待复核"] });
    expect(await reviewed.admin.pb.collection("tbl_user_avatars").getOne(reviewed.avatarId)).toMatchObject({ media_check: "待复核", status: "使用中" });

    const passed = await avatarInUse("safe");
    await passed.verdict("pass");
    expect(await passed.admin.users.getOne(passed.user.pb_id)).toMatchObject({ users_picture: passed.url, users_flags: [] });
    expect(await passed.admin.pb.collection("tbl_user_avatars").getOne(passed.avatarId)).toMatchObject({ media_check: "通过" });
  });
});
