// The built mini-program SDK (the bundle client/dist/index.js holds) in Node, against the real PocketBase and the
// WeChat simulator, through a wx that does real HTTP (test/support/wx-shim.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type * as Sdk from "../../client/src/index";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { spec } from "../support/contract";
import { caddy, deployProxies, nginx } from "../support/proxies";
import { api } from "../support/api";
import { failures } from "../support/responses";
import { registration, uniquePhone } from "../support/registration";
import { codes, SECOND_MINIPROGRAM, simulator, uniqueName, WECHAT_APP_ID } from "../support/wechat";
import { wxShim, type WxShim } from "../support/wx-shim";

const buildScript = join(projectRoot, "client", "scripts", "build.mjs");
let sdk: typeof Sdk;
let admin: Awaited<ReturnType<typeof adminClient>>;
const wechat = simulator(inject("simulatorUrl"));
const shims: WxShim[] = [];

beforeAll(async () => {
  // The bundle that dist/index.js holds, built beside it: the client project packs dist/ meanwhile.
  const outfile = join(mkdtempSync(join(tmpdir(), "bai-sdk-e2e-")), "index.js");
  const { bundle } = await import(pathToFileURL(buildScript).href);
  await bundle(outfile);
  sdk = createRequire(import.meta.url)(outfile);
  admin = await adminClient();
}, 60_000);

afterEach(() => {
  for (const shim of shims.splice(0)) expect(shim.contractProblems).toEqual([]);
});

function signIn(name = uniqueName("sdk"), storage?: Map<string, string>, firstCodes?: string[], baseUrl = inject("pocketbaseUrl")) {
  const shim = wxShim(name, storage, firstCodes);
  shims.push(shim);
  const client = sdk.createClient({ baseUrl, wx: shim.wx });
  return { shim, client, name };
}

const ownRecordPath = (client: Sdk.BaiClient) => `/api/collections/tbl_auth_users/records/${client.user!.pb_id}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Issues the next tokens with a 10 s lifetime (PocketBase's shortest) while `action` runs. */
async function withTenSecondTokens<T>(action: () => Promise<T>): Promise<T> {
  const collection = await admin.pb.collections.getOne("tbl_auth_users");
  await admin.pb.collections.update("tbl_auth_users", { authToken: { ...collection.authToken, duration: 10 } });
  try {
    return await action();
  } finally {
    await admin.pb.collections.update("tbl_auth_users", { authToken: collection.authToken });
  }
}

describe("first login, then profile with a phone code, then refresh", () => {
  it("registers the WeChat user, completes the profile and renews the token", async () => {
    const { client, shim, name } = signIn();
    const before = await wechat.stats();

    const login = await client.login();
    expect(login).toMatchObject({ status: "register_success", is_info_complete: false, user: { openid: `osim_${name}`, users_type: "游客" } });
    expect(JSON.parse(shim.storage.get("bai_auth")!)).toMatchObject({ token: client.token, user: { pb_id: login.user.pb_id } });

    const profile = await client.updateProfile({ name: " 张三 ", phoneCode: codes.phone("13800138000"), picture: "https://example.com/a.png" });
    expect(profile.user).toMatchObject({ users_name: "张三", users_phone: "13800138000", users_phone_masked: "138****8000", users_type: "注册用户" });
    expect(client.user).toEqual(profile.user);

    await sleep(1100); // tokens carry whole-second expiries
    const token = client.token;
    const refreshed = await client.refresh();
    expect(client.token).not.toBe(token);
    expect(refreshed).toMatchObject({ is_info_complete: true, user: { pb_id: login.user.pb_id } });

    const record = await client.request<{ id: string; users_name: string }>(ownRecordPath(client));
    expect(record).toMatchObject({ id: login.user.pb_id, users_name: "张三" });
    expect(shim.loginCalls()).toBe(1);
    expect(await wechat.stats()).toMatchObject({ jscode2session: before.jscode2session + 1, getuserphonenumber: before.getuserphonenumber + 1 });
  });

  it("surfaces the server's field errors without calling WeChat", async () => {
    const { client } = signIn();
    await client.login();
    const error: Sdk.BaiClientError = await client.updateProfile({ name: "", phoneCode: codes.phone("13800138000"), picture: "javascript:alert(1)" }).catch((caught) => caught);
    expect(error).toBeInstanceOf(sdk.BaiClientError);
    expect(error).toMatchObject({ status: 400, code: 400, msg: "参数错误" });
    expect(Object.keys(error.fieldErrors).sort()).toEqual(["users_name", "users_picture"]);
  });

  it("shares one wx.login and one login between ten parallel callers", async () => {
    const { client, shim } = signIn();
    const users = await Promise.all(Array.from({ length: 10 }, () => client.ensureLogin()));
    expect(new Set(users.map((user) => user.pb_id)).size).toBe(1);
    expect(shim.loginCalls()).toBe(1);
    expect(shim.sent.filter((line) => line === "POST /api/wechat/login")).toHaveLength(1);
  });
});

describe("a login code the server turns down", () => {
  it("sent twice within 10 s (429) is replaced by one new code", async () => {
    const name = uniqueName("sdk");
    const code = codes.loginAs(name);
    expect((await api().login(code)).status).toBe(200);
    const { client, shim } = signIn(name, undefined, [code]);

    expect((await client.login()).user.openid).toBe(`osim_${name}`);
    expect(shim.loginCalls()).toBe(2);
  });

  it("that WeChat calls invalid (400 wechat_code_invalid) is replaced by one new code", async () => {
    const { client, shim } = signIn(undefined, undefined, [codes.scenario("invalid")]);
    await client.login();
    expect(shim.loginCalls()).toBe(2);
  });

  it("that WeChat blocks (400 wechat_code_blocked) is not retried", async () => {
    const { client, shim } = signIn(undefined, undefined, [codes.scenario("blocked")]);
    const error: Sdk.BaiClientError = await client.login().catch((caught) => caught);
    expect(error.fieldErrors.users_wx_code.code).toBe("wechat_code_blocked");
    expect(shim.loginCalls()).toBe(1);
  });
});

describe("an expiring token", () => {
  it("is refreshed before a call once half its life is gone, then re-logged in once it has expired", { timeout: 40_000 }, async () => {
    const { client, shim } = signIn();
    await withTenSecondTokens(() => client.login());

    // Past half of the 10 s lifetime: the SDK refreshes first, no wx.login.
    await sleep(5_500);
    const first = client.token;
    await withTenSecondTokens(() => client.request(ownRecordPath(client)));
    expect(client.token).not.toBe(first);
    expect(shim.sent.slice(-2)).toEqual(["POST /api/wechat/refresh-token", `GET ${ownRecordPath(client)}`]);
    expect(shim.loginCalls()).toBe(1);

    // Expired, by the token's own exp: the SDK asks refresh-token before the call, which refuses (401),
    // and logs in again with one fresh code.
    await sleep(10_500);
    shim.sent.length = 0;
    const record = await client.request<{ id: string }>(ownRecordPath(client));
    expect(record.id).toBe(client.user!.pb_id);
    expect(shim.sent).toEqual(["POST /api/wechat/refresh-token", "POST /api/wechat/login", `GET ${ownRecordPath(client)}`]);
    expect(shim.loginCalls()).toBe(2);
  });

  it("refused by the server although its exp is fine gets one refresh, one new login and one retry", async () => {
    const { client, shim, name } = signIn();
    await client.login();
    const stored = JSON.parse(shim.storage.get("bai_auth")!);
    const [header, payload, signature] = stored.token.split(".");
    shim.storage.set("bai_auth", JSON.stringify({ ...stored, token: [header, payload, (signature[0] === "A" ? "B" : "A") + signature.slice(1)].join(".") }));

    const restarted = signIn(name, shim.storage);
    const result = await restarted.client.updateProfile({ name: "李四", phoneCode: codes.phone("13900139000"), picture: "https://example.com/b.png" });
    expect(result.user.pb_id).toBe(client.user!.pb_id);
    expect(restarted.shim.sent).toEqual(["POST /api/wechat/profile", "POST /api/wechat/refresh-token", "POST /api/wechat/login", "POST /api/wechat/profile"]);
    expect(restarted.shim.loginCalls()).toBe(1);
  });
});

describe("a disabled account", () => {
  // Disabling rotates the user's token key: the old token is then as void as a forged one (401), so the
  // SDK spends one wx.login to find out, and the login's 403 says why.
  it("surfaces as a 403 BaiClientError saying so and ends the session, one wx.login per call", async () => {
    const { client, shim } = signIn();
    const { user } = await client.login();
    await admin.users.update(user.pb_id, { users_status: "禁用" });

    const profile: Sdk.BaiClientError = await client.updateProfile({ name: "张三", phoneCode: codes.phone("13800138000"), picture: "https://example.com/a.png" }).catch((caught) => caught);
    expect(profile).toBeInstanceOf(sdk.BaiClientError);
    expect(profile).toMatchObject({ status: 403, isAccountUnavailable: true, msg: failures.accountDisabled.msg });
    expect(shim.sent).toEqual(["POST /api/wechat/login", "POST /api/wechat/profile", "POST /api/wechat/refresh-token", "POST /api/wechat/login"]);
    expect(client.token).toBe("");
    expect(shim.storage.has("bai_auth")).toBe(false);
    expect(shim.loginCalls()).toBe(2);

    await expect(client.ensureLogin()).rejects.toMatchObject({ status: 403, msg: failures.accountDisabled.msg });
    expect(shim.loginCalls()).toBe(3);
  });
});

describe("an error's identifier and language", () => {
  it("gives a disabled account's refusal in WeChat's language, told by its identifier", async () => {
    const name = uniqueName("sdk");
    const { user } = await api().signIn(name);
    await admin.users.update(user.pb_id, { users_status: "禁用" });
    const shim = wxShim(name);
    shims.push(shim);
    shim.wx.getAppBaseInfo = () => ({ language: "en" });
    const client = sdk.createClient({ baseUrl: inject("pocketbaseUrl"), wx: shim.wx });

    await expect(client.login()).rejects.toMatchObject({
      status: 403,
      error: "account_disabled",
      msg: "This account has been disabled; please contact an administrator",
      isAccountUnavailable: true,
    });
  });

  it("does not take PocketBase's own 403 for an unavailable account, and keeps the session", async () => {
    const { client } = signIn();
    await client.login();
    const refused: Sdk.BaiClientError = await client.request("/api/collections/_superusers/records").catch((caught) => caught);
    expect(refused).toMatchObject({ status: 403, error: "", isAccountUnavailable: false });
    expect(client.token).not.toBe("");
  });
});

describe("a restart", () => {
  it("restores the session from wx storage and calls with it, without wx.login", async () => {
    const first = signIn();
    await first.client.login();
    const restarted = signIn(first.name, first.shim.storage);

    expect(restarted.client.token).toBe(first.client.token);
    expect(restarted.client.user).toEqual(first.client.user);
    expect(await restarted.client.ensureLogin()).toEqual(first.client.user);
    await restarted.client.request(ownRecordPath(restarted.client));
    expect(restarted.shim.loginCalls()).toBe(0);
    expect(restarted.shim.sent).toEqual([`GET ${ownRecordPath(restarted.client)}`]);
  });
});

describe.each(deployProxies("the SDK's /pb case", caddy, nginx))("a baseUrl of https://<host>/pb, through $name", ({ start }) => {
  it("works: login, profile, refresh and PocketBase's own API", async () => {
    const proxy = await start(inject("pocketbaseUrl"));
    try {
      const { client, shim } = signIn(undefined, undefined, undefined, `${proxy.url}/pb/`);
      await client.login();
      await client.updateProfile({ name: "张三", phoneCode: codes.phone("13800138000"), picture: "https://example.com/a.png" });
      await sleep(1100);
      await client.refresh();
      expect(await client.request<{ users_name: string }>(ownRecordPath(client))).toMatchObject({ users_name: "张三" });
      expect(shim.sent).toEqual([
        "POST /pb/api/wechat/login",
        "POST /pb/api/wechat/profile",
        "POST /pb/api/wechat/refresh-token",
        `GET /pb${ownRecordPath(client)}`,
      ]);
    } finally {
      await proxy.stop();
    }
  });
});

// These routes arrive from other branches; each describe runs once the contract has its route.
const specHas = (path: string) => Boolean(spec.paths?.[path]);

/** The same WeChat user signed in on two devices: two storages, two sessions. */
async function twoDevices() {
  const phone = signIn();
  const laptop = signIn(phone.name);
  // Within the same second: every token is its own, so logging one device out leaves the other.
  await Promise.all([phone.client.login(), laptop.client.login()]);
  expect(laptop.client.token).not.toBe(phone.client.token);
  return { phone, laptop };
}

describe.skipIf(!specHas("/api/wechat/logout"))("logout", () => {
  it("current: ends this device's session only", async () => {
    const { phone, laptop } = await twoDevices();
    const phoneToken = phone.client.token;
    await phone.client.logout("current");

    expect(phone.client.token).toBe("");
    expect(phone.shim.storage.has("bai_auth")).toBe(false);
    expect((await api().refreshToken(phoneToken)).status).toBe(401);
    await laptop.client.request(ownRecordPath(laptop.client));
    expect(laptop.shim.loginCalls()).toBe(1);
  });

  it("all: the other device's next renewal is refused and it signs in again with one wx.login", async () => {
    const { phone, laptop } = await twoDevices();
    const laptopToken = laptop.client.token;
    await phone.client.logout("all");

    expect((await api().refreshToken(laptopToken)).status).toBe(401);
    await laptop.client.refresh();
    expect(laptop.client.token).not.toBe(laptopToken);
    expect(laptop.shim.loginCalls()).toBe(2);
  });

  it("all: the other device's next call to PocketBase's own API is refused 401, renews once and succeeds", async () => {
    const { phone, laptop } = await twoDevices();
    await phone.client.logout("all");

    const own = await laptop.client.request<{ id: string }>(ownRecordPath(laptop.client));
    expect(own.id).toBe(laptop.client.user!.pb_id);
    expect(laptop.shim.loginCalls()).toBe(2);
  });

  it("with a token already logged out succeeds without a renewal or wx.login", async () => {
    const { client, shim } = signIn();
    await client.login();
    const restarted = signIn(undefined, new Map(shim.storage));
    await client.logout();
    await restarted.client.logout();
    expect(restarted.shim.sent).toEqual(["POST /api/wechat/logout"]);
    expect(restarted.shim.loginCalls()).toBe(0);
  });
});

describe.skipIf(!specHas("/api/wechat/delete-account"))("deleteAccount", () => {
  it("voids every session; this device then never logs in by itself, and only an explicit login() cancels the deletion", async () => {
    const { phone, laptop } = await twoDevices();
    const laptopToken = laptop.client.token;
    const deletion = await phone.client.deleteAccount();
    expect(deletion).toMatchObject({ status: "deletion_pending", deletion_due: expect.any(String) });
    expect(phone.client.token).toBe("");
    expect((await api().refreshToken(laptopToken)).status).toBe(401);

    await expect(phone.client.ensureLogin()).rejects.toMatchObject({ status: 403, isAccountUnavailable: true });
    expect(phone.shim.loginCalls()).toBe(1);
    expect((await admin.userByOpenid(`osim_${phone.name}`)).users_status).toBe("注销中");

    expect(await phone.client.login()).toMatchObject({ status: "login_success", deletion_cancelled: true });
    expect((await admin.userByOpenid(`osim_${phone.name}`)).users_status).toBe("正常");
  });
});

describe.skipIf(!specHas("/api/wechat/avatar"))("uploadAvatar", () => {
  it("uploads a file with wx.uploadFile and answers a URL the profile accepts", async () => {
    const { client } = signIn();
    await client.login();
    const png = join(mkdtempSync(join(tmpdir(), "bai-avatar-")), "avatar.png");
    writeFileSync(png, Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
    const url = await client.uploadAvatar(png);
    expect(url).toMatch(/^https?:\/\//);
    const profile = await client.updateProfile({ name: "张三", phoneCode: codes.phone("13800138000"), picture: url });
    expect(profile.user.users_picture).toBe(url);
  });
});

// POST /api/wechat/profile/fields arrives with the server's branch of issue 23: this runs once the contract has the route.
describe.skipIf(!specHas("/api/wechat/profile/fields"))("updateProfile with a subset of the fields", () => {
  it("goes to profile/fields, changes only what it sends, and calls WeChat's phone API only for a phone code", async () => {
    const { client, shim } = signIn();
    await client.login();
    const before = await wechat.stats();

    const named = await client.updateProfile({ name: " 张三 " });
    expect(named.user).toMatchObject({ users_name: "张三", users_phone: "", users_picture: "" });
    const pictured = await client.updateProfile({ picture: "https://example.com/a.png" });
    expect(pictured.user).toMatchObject({ users_name: "张三", users_picture: "https://example.com/a.png", users_phone: "" });
    expect(client.user).toEqual(pictured.user);
    expect(shim.sent.slice(-2)).toEqual(["POST /api/wechat/profile/fields", "POST /api/wechat/profile/fields"]);
    expect((await wechat.stats()).getuserphonenumber).toBe(before.getuserphonenumber);

    const phoned = await client.updateProfile({ phoneCode: codes.phone("13800138000") });
    expect(phoned.user).toMatchObject({ users_name: "张三", users_picture: "https://example.com/a.png", users_phone: "13800138000" });
    expect(shim.sent.at(-1)).toBe("POST /api/wechat/profile/fields");
    expect((await wechat.stats()).getuserphonenumber).toBe(before.getuserphonenumber + 1);

    await client.updateProfile({ name: "李四", phoneCode: codes.phone("13900139000"), picture: "https://example.com/b.png" });
    expect(shim.sent.at(-1)).toBe("POST /api/wechat/profile");
    expect(client.user).toMatchObject({ users_name: "李四", users_phone: "13900139000" });
  });

  it("a field error of a subset is the SDK's error, and nothing reaches WeChat", async () => {
    const { client } = signIn();
    await client.login();
    const before = await wechat.stats();
    const error: Sdk.BaiClientError = await client.updateProfile({ picture: "javascript:alert(1)", phoneCode: codes.phone("13800138000") }).catch((caught) => caught);
    expect(error).toBeInstanceOf(sdk.BaiClientError);
    expect(error).toMatchObject({ status: 400 });
    expect(Object.keys(error.fieldErrors)).toEqual(["users_picture"]);
    expect((await wechat.stats()).getuserphonenumber).toBe(before.getuserphonenumber);
  });
});

describe("several WeChat apps", () => {
  it("logs in through a second mini-program (appid), lists, binds and unbinds identities", async () => {
    const name = uniqueName("sdkunion");
    const primary = signIn(name);
    await primary.client.login();
    const shim = wxShim(name);
    shims.push(shim);
    const second = sdk.createClient({ baseUrl: inject("pocketbaseUrl"), wx: shim.wx, appid: SECOND_MINIPROGRAM.appId });
    const result = await second.login();
    expect(result.status).toBe("linked");
    expect(second.user!.pb_id).toBe(primary.client.user!.pb_id);
    const identities = await second.identities();
    expect(identities.map((identity) => identity.appid)).toEqual([WECHAT_APP_ID, SECOND_MINIPROGRAM.appId]);

    // Bound again: already this user's; unbinding the second leaves the primary one.
    expect((await second.bindIdentity()).status).toBe("already_bound");
    await second.unbindIdentity(identities[1].id);
    expect((await primary.client.identities()).map((identity) => identity.appid)).toEqual([WECHAT_APP_ID]);
    await expect(primary.client.bindIdentity()).rejects.toMatchObject({ status: 0 });
  });
});

describe("phoneLogin under a registration policy", () => {
  it("is what login() points to when the server asks for it, and claims the account staff made", async () => {
    const staff = registration(admin);
    await staff.setPolicy("phone_match");
    try {
      const number = uniquePhone();
      const made = await staff.staffUser({ users_phone: number, company_id: "C-SDK" });
      const { client } = signIn();
      const refused = await client.login().catch((caught) => caught);
      expect(refused).toMatchObject({ status: 403, error: "phone_login_required", needsPhoneLogin: true, isAccountUnavailable: false });
      expect(await client.phoneLogin(codes.phone(number))).toMatchObject({ status: "claimed", user: { pb_id: made.id, company_id: "C-SDK" } });
      expect(client.user?.pb_id).toBe(made.id);
      expect(await client.request(ownRecordPath(client))).toMatchObject({ id: made.id });
      const stranger = signIn();
      expect(await stranger.client.phoneLogin(codes.phone(uniquePhone())).catch((caught) => caught)).toMatchObject({ error: "phone_not_registered", isRegistrationClosed: true });
    } finally {
      await staff.setPolicy("");
    }
  });
});

describe("consents and the user's data", () => {
  it("reads where the user stands, names a field problem, and gets the user's copy of their data", async () => {
    const { client } = signIn();
    const login = await client.login();
    expect(await client.consents()).toEqual({ enforced: false, documents: [] }); // this instance configures no document
    const refused: Sdk.BaiClientError = await client.giveConsent([{ document: "user_agreement", version: "2026-11-01" }]).catch((caught) => caught);
    expect(refused).toMatchObject({ status: 400 });
    expect(Object.keys(refused.fieldErrors)).toEqual(["consents"]);
    expect((await client.withdrawConsent(["privacy_policy"]).catch((caught) => caught)).status).toBe(400);
    const data = await client.myData();
    expect(data.profile).toMatchObject({ pb_id: login.user.pb_id, users_id: login.user.users_id });
    expect(data.audit_events.map((event) => event.event)).toContain("registration");
  });
});
