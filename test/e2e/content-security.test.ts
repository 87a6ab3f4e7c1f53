// Content security end to end: msgSecCheck on users_name before the billed phone call, and
// mediaCheckAsync on uploads with the verdict pushed back by the simulator to our push
// endpoint, in 安全模式 and 明文模式, correctly signed and forged. Instances of their own:
// fail-open + 安全模式, fail-closed + 明文模式, and both checks off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { findLeaks } from "../support/leaks";
import { allLogs } from "../support/logs";
import { api, validProfile } from "../support/api";
import { filePart, images, uploadAvatar, uploadAvatarWhileReading } from "../support/avatars";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { errorBody, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const TOKEN = "pushToken2026";
const AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

interface Setup {
  sim: Awaited<ReturnType<typeof startWechatSimulator>>;
  instance: PocketBaseInstance;
  client: ReturnType<typeof api>;
  admin: Awaited<ReturnType<typeof adminClient>>;
  wechat: ReturnType<typeof simulator>;
}

async function setUp(env: Record<string, string>, pushKey?: string): Promise<Setup> {
  const sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
  const instance = await startPocketBase({ env: wechatEnv(sim.url, env) });
  await exemptLoopbackFromRateLimits(instance);
  const admin = await adminClient(instance.url);
  await admin.pb.settings.update({ meta: { appURL: instance.url } });
  if (pushKey !== undefined) {
    await fetch(`${sim.url}/__sim/push/target`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${instance.url}/api/wechat/push`, token: TOKEN, encodingAesKey: pushKey }),
    });
  }
  return { sim, instance, client: api(instance.url), admin, wechat: simulator(sim.url) };
}

const setups: Record<"open" | "closed" | "off", Setup> = {} as never;

beforeAll(async () => {
  [setups.open, setups.closed, setups.off] = await Promise.all([
    setUp({ WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY }, AES_KEY),
    setUp({ WECHAT_PUSH_TOKEN: TOKEN, WECHAT_CONTENT_CHECK_FAILURE: "closed" }, ""),
    setUp({ WECHAT_PUSH_TOKEN: TOKEN, WECHAT_NICKNAME_CHECK: "off", WECHAT_AVATAR_CHECK: "off" }, ""),
  ]);
}, 60_000);

// After every failure mode above: no secret (push token, AES key included) in logs or console.
afterAll(async () => {
  const leaks: string[] = [];
  for (const { sim, instance } of Object.values(setups)) {
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
    await sim.close();
  }
  if (leaks.length > 0) throw new Error(`Secrets leaked: ${leaks.join("; ")}`);
});

const control = (sim: Setup["sim"], path: string, body?: unknown) =>
  fetch(`${sim.url}/__sim/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((response) => response.json());

async function deliveryFor(setup: Setup, traceId: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { deliveries } = await control(setup.sim, "push/deliveries");
    const delivery = deliveries.find((entry: { traceId: string; status: number }) => entry.traceId === traceId && entry.status !== 0);
    if (delivery) return delivery;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no push delivered for ${traceId}`);
}

describe("the nickname check (msgSecCheck), before the billed phone call", () => {
  it("sends WeChat the name with version 2, scene 1 and the user's openid, then asks for the phone", async () => {
    const { client, wechat } = setups.open;
    const { token, user } = await client.signIn(uniqueName("nick"));
    const response = await client.profile(token, validProfile({ users_name: "张三" }));
    expect(response.status).toBe(200);
    const calls = await wechat.calls();
    const check = calls.findLast((call) => call.path === "/wxa/msg_sec_check")!;
    expect(check.body).toEqual({ content: "张三", version: 2, scene: 1, openid: user.openid });
    expect(calls.indexOf(check)).toBeLessThan(calls.findLastIndex((call) => call.path === "/wxa/business/getuserphonenumber"));
  });

  it("risky: 400 on users_name, nothing written, no phone call", async () => {
    const { client, admin, wechat } = setups.open;
    const { token, user } = await client.signIn(uniqueName("nick"));
    const before = await admin.users.getOne(user.pb_id);
    const phoneCalls = (await wechat.stats()).getuserphonenumber;
    const response = await client.profile(token, validProfile({ users_name: "违规昵称" }));
    expect(response.body).toEqual(fieldProblem("users_name", "content_risky"));
    expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    expect((await wechat.stats()).getuserphonenumber).toBe(phoneCalls);
  });

  it("review: stored and flagged 昵称待复核; a later clean name clears the flag", async () => {
    const { client, admin } = setups.open;
    const { token, user } = await client.signIn(uniqueName("nick"));
    expect((await client.profile(token, validProfile({ users_name: "待审小王" }))).body.data.user.users_name).toBe("待审小王");
    expect((await admin.users.getOne(user.pb_id)).users_flags).toEqual(["昵称待复核"]);
    await client.profile(token, validProfile({ users_name: "王五" }));
    expect((await admin.users.getOne(user.pb_id)).users_flags).toEqual([]);
  });

  it.each(["secbusy", "secratelimit", "sec500", "secgarbage", "sechang"])("fail-open: WeChat failing (%s) stores the name, flagged 昵称未检测", async (failure) => {
    const { client, admin } = setups.open;
    const { token, user } = await client.signIn(uniqueName("nick"));
    const response = await client.profile(token, validProfile({ users_name: `名字${failure}` }));
    expect(response.status).toBe(200);
    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_name: `名字${failure}`, users_flags: ["昵称未检测"], users_type: "注册用户" });
  });

  it.each(["secbusy", "sec500", "sechang"])("fail-closed: WeChat failing (%s) answers 503, writes nothing, makes no phone call", async (failure) => {
    const { client, admin, wechat } = setups.closed;
    const { token, user } = await client.signIn(uniqueName("nick"));
    const before = await admin.users.getOne(user.pb_id);
    const phoneCalls = (await wechat.stats()).getuserphonenumber;
    const response = await client.profile(token, validProfile({ users_name: `名字${failure}` }));
    expect(response.body).toEqual({ code: 503, msg: "内容安全检测暂时不可用,请稍后重试", data: {} });
    expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    expect((await wechat.stats()).getuserphonenumber).toBe(phoneCalls);
  });

  it("a local field error stops the request before the nickname check and the phone call", async () => {
    const { client, wechat } = setups.open;
    const { token } = await client.signIn(uniqueName("nick"));
    const before = await wechat.stats();
    const response = await client.profile(token, validProfile({ users_name: "违规昵称", users_picture: "javascript:alert(1)" }));
    expect(response.status).toBe(400);
    const after = await wechat.stats();
    expect([after.msg_sec_check, after.getuserphonenumber]).toEqual([before.msg_sec_check, before.getuserphonenumber]);
  });

  it("off: no msgSecCheck at all", async () => {
    const { client, wechat } = setups.off;
    const { token } = await client.signIn(uniqueName("nick"));
    expect((await client.profile(token, validProfile({ users_name: "违规昵称" }))).status).toBe(200);
    expect((await wechat.stats()).msg_sec_check).toBe(0);
  });
});

describe("the avatar check (mediaCheckAsync), its verdict pushed back", () => {
  async function uploadAndUse(setup: Setup, name: string) {
    const { token, user } = await setup.client.signIn(uniqueName(name));
    const upload = await uploadAvatar(token, [filePart(images.png)], setup.instance.url);
    const url = upload.body.data.url as string;
    await setup.client.profile(token, validProfile({ users_picture: url, users_phone_code: codes.phone("13700137000") }));
    const avatar = await setup.admin.pb.collection("tbl_user_avatars").getFirstListItem(setup.admin.pb.filter("user = {:id}", { id: user.pb_id }));
    return { token, user, url, avatar };
  }

  it("submits the public URL with media_type 2, version 2, scene 1 and the openid; WeChat can fetch it", async () => {
    const setup = setups.open;
    const { user, url, avatar } = await uploadAndUse(setup, "avpass");
    const submitted = (await setup.wechat.calls("/wxa/media_check_async")).findLast((call) => (call.body as { media_url: string }).media_url === url)!;
    expect(submitted.body).toEqual({ media_url: url, media_type: 2, version: 2, scene: 1, openid: user.openid });
    expect(avatar.trace_id).not.toBe("");
    const delivery = await deliveryFor(setup, avatar.trace_id);
    expect(delivery).toMatchObject({ mediaStatus: 200, suggest: "pass", status: 200, text: "success" });
    expect(await setup.admin.pb.collection("tbl_user_avatars").getOne(avatar.id)).toMatchObject({ media_check: "通过", status: "使用中" });
  });

  it.each([
    ["安全模式", "open"],
    ["明文模式", "closed"],
  ] as const)("risky (%s) removes the picture from the user and every answer, deletes the file, flags the account, keeps users_type", async (_, mode) => {
    const setup = setups[mode];
    const { token, user, url, avatar } = await uploadAndUse(setup, "avrisky");
    expect((await deliveryFor(setup, avatar.trace_id)).status).toBe(200);
    expect(await setup.admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: "", users_avatar: "", users_type: "注册用户", users_flags: ["头像违规"] });
    expect((await setup.client.refreshToken(token)).body.meta.data.user.users_picture).toBe("");
    expect((await fetch(url)).status).toBe(404);
  });

  it("review keeps the picture and flags 头像待复核", async () => {
    const setup = setups.open;
    const { user, url, avatar } = await uploadAndUse(setup, "avreview");
    await deliveryFor(setup, avatar.trace_id);
    expect(await setup.admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: url, users_flags: ["头像待复核"] });
  });

  it.each([
    ["a forged signature", "signature", 401],
    ["no signature", "none", 401],
    ["a message for another appid", "appid", 400],
  ] as const)("a push with %s is refused and changes nothing", async (_, forge, status) => {
    const setup = setups.open;
    await control(setup.sim, "push/forge", { mode: forge });
    try {
      const { user, url, avatar } = await uploadAndUse(setup, "avrisky");
      expect((await deliveryFor(setup, avatar.trace_id)).status).toBe(status);
      expect(await setup.admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: url, users_flags: [] });
      expect(await setup.admin.pb.collection("tbl_user_avatars").getOne(avatar.id)).toMatchObject({ media_check: "检测中" });
    } finally {
      await control(setup.sim, "push/forge", { mode: null });
    }
  });

  it("a submission WeChat refuses: fail-open keeps the upload as 提交失败; fail-closed answers 503 and keeps nothing", async () => {
    const open = await setups.open.client.signIn(uniqueName("mediabusy"));
    expect((await uploadAvatar(open.token, [filePart(images.png)], setups.open.instance.url)).status).toBe(200);
    expect(await setups.open.admin.pb.collection("tbl_user_avatars").getFullList({ filter: `user = "${open.user.pb_id}"` })).toEqual([
      expect.objectContaining({ media_check: "提交失败", status: "待使用" }),
    ]);

    const closed = await setups.closed.client.signIn(uniqueName("mediabusy"));
    const refused = await uploadAvatar(closed.token, [filePart(images.png)], setups.closed.instance.url);
    expect(refused.body).toEqual(errorBody(503));
    expect(await setups.closed.admin.pb.collection("tbl_user_avatars").getFullList({ filter: `user = "${closed.user.pb_id}"` })).toEqual([]);
  });

  // The token was good when the upload began; the account left 正常 while the file was on
  // its way. The upload's write must see that, and WeChat must not get the old openid.
  it.each([
    ["erased (已注销)", "已注销", { code: 410, msg: "账号已注销", data: {} }],
    ["left for deletion (注销中)", "注销中", { code: 403, msg: "账号注销中,重新登录即可撤销注销", data: {} }],
    ["disabled (禁用)", "禁用", { code: 403, msg: "账号已被禁用,请联系管理员", data: {} }],
  ] as const)("an upload that finishes after the account was %s stores nothing and sends WeChat nothing", async (_, status, refusal) => {
    const setup = setups.open;
    const { token, user } = await setup.client.signIn(uniqueName("avrace"));
    const response = await uploadAvatarWhileReading(token, [filePart(images.png)], () => setup.admin.users.update(user.pb_id, { users_status: status }), setup.instance.url);
    expect(response.body).toEqual(refusal);
    expect(await setup.admin.pb.collection("tbl_user_avatars").getFullList({ filter: `user = "${user.pb_id}"` })).toEqual([]);
    const submissions = (await setup.wechat.calls("/wxa/media_check_async")).filter((call) => (call.body as { openid: string }).openid === user.openid);
    expect(submissions).toEqual([]);
  });

  it("off: nothing is submitted", async () => {
    const setup = setups.off;
    await uploadAndUse(setup, "avrisky");
    expect((await setup.wechat.stats()).media_check_async).toBe(0);
  });
});
