// /api/wechat/push: WeChat's message push, in 明文模式 and 安全模式, against instances of their
// own (the mode is configuration), and a risky avatar verdict removing the picture.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deliverPush, handshakeUrl, mediaCheckEvent, signedPush } from "../../sim/wechat-push.mjs";
import { adminClient } from "../support/admin";
import { findLeaks } from "../support/leaks";
import { allLogs } from "../support/logs";
import { api, validProfile } from "../support/api";
import { filePart, images, uploadAvatar } from "../support/avatars";
import { contractProblems } from "../support/contract";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
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

beforeAll(async () => {
  const simulatorUrl = inject("simulatorUrl");
  [instances.safe, instances.plain] = await Promise.all([
    startPocketBase({ env: wechatEnv(simulatorUrl, { WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY }) }),
    startPocketBase({ env: wechatEnv(simulatorUrl, { WECHAT_PUSH_TOKEN: TOKEN }) }),
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
    // Request logs keep each push's URL: its hex signatures are no secret, but a run of 11
    // decimal digits in one would look like a phone number to the scan.
    const withoutSignatures = (text: string) => text.replace(/(signature=)[0-9a-f]{40}/g, "$1…");
    const places: Array<[string, string]> = [
      ["PocketBase's logs", withoutSignatures(JSON.stringify(logs))],
      ["PocketBase's console", withoutSignatures(instance.output())],
    ];
    leaks.push(...findLeaks(places, [TOKEN, AES_KEY]));
    instance.remove();
  }
  if (leaks.length > 0) throw new Error(`Secrets leaked: ${leaks.join("; ")}`);
});

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
});

describe("a media check verdict pushed for an avatar", () => {
  async function avatarInUse(mode: "safe" | "plain") {
    const client = api(instances[mode].url);
    const admin = await adminClient(instances[mode].url);
    const { token, user } = await client.signIn(uniqueName("verdict"));
    const upload = await uploadAvatar(token, [filePart(images.png)], instances[mode].url);
    const url = upload.body.data.url as string;
    await client.profile(token, validProfile({ users_picture: url }));
    const avatar = await admin.pb.collection("tbl_user_avatars").getFirstListItem(admin.pb.filter("user = {:id}", { id: user.pb_id }));
    const traceId = `trace-${uniqueName()}`;
    await admin.pb.collection("tbl_user_avatars").update(avatar.id, { trace_id: traceId, media_check: "检测中" });
    const verdict = (suggest: string) =>
      post(signedPush(endpoint(mode), mediaCheckEvent({ appId: WECHAT_APP_ID, openid: user.openid, traceId, suggest }), { token: TOKEN, encodingAesKey: keyOf(mode), appId: WECHAT_APP_ID }));
    return { client, admin, token, user, url, avatarId: avatar.id, verdict };
  }

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
