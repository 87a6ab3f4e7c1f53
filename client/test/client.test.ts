import { describe, expect, it } from "vitest";
import { BaiClientError, createClient, type ClientOptions } from "../src/index";
import { failure, fakeWx, type FakeServer } from "./fake-wx";

const BASE_URL = "https://bai.example/pb";
const DAY = 86_400;

function setup(options: Partial<ClientOptions> = {}, fake = fakeWx()) {
  const clock = () => fake.server.nowSeconds * 1000;
  const client = createClient({ baseUrl: BASE_URL, wx: fake.wx, now: clock, ...options });
  return { ...fake, client, restart: () => createClient({ baseUrl: BASE_URL, wx: fake.wx, now: clock, ...options }) };
}

async function signedIn(options: Partial<ClientOptions> = {}) {
  const context = setup(options);
  await context.client.login();
  context.server.requests.length = 0;
  return { ...context, loginsBefore: context.loginCalls() };
}

const times = <T>(count: number, make: () => Promise<T>) => Promise.all(Array.from({ length: count }, make));

/** Makes every token issued so far void on the server, as a disabled account or a rotated key would. */
const revokeAllTokens = (server: FakeServer) => server.validTokens.clear();

/** Makes `path` answer 401 to `token` while the token still refreshes fine. */
function rejectOn(server: FakeServer, path: string, token: string) {
  const route = server.routes[path];
  server.routes[path] = (request, self) => (request.token === token ? failure(401, "token 无效或已过期,请重新登录") : route(request, self));
}

describe("login", () => {
  it("sends a fresh wx.login code, then keeps the token and user in wx storage", async () => {
    const { client, server, storage, loginCalls } = setup();
    const result = await client.login();

    expect(loginCalls()).toBe(1);
    expect(server.requests).toEqual([expect.objectContaining({ method: "POST", url: `${BASE_URL}/api/wechat/login`, body: { users_wx_code: "code-1" } })]);
    expect(server.requests[0].headers["content-type"]).toBe("application/json");
    expect(result).toEqual(expect.objectContaining({ status: "login_success", user: expect.objectContaining({ pb_id: "abc123xyz456789" }) }));
    expect(client.user?.pb_id).toBe("abc123xyz456789");
    expect(storage.get("bai_auth")).toEqual({ token: client.token, user: client.user, savedAt: server.nowSeconds * 1000 });
  });

  it("is shared by concurrent callers: ten ensureLogin calls cost one wx.login and one login", async () => {
    const { client, server, loginCalls } = setup();
    const users = await times(10, () => client.ensureLogin());

    expect(loginCalls()).toBe(1);
    expect(server.count("/api/wechat/login")).toBe(1);
    expect(new Set(users.map((user) => user.pb_id))).toEqual(new Set(["abc123xyz456789"]));
  });

  it("never calls wx.login while the stored session is good", async () => {
    const { client, server, loginCalls, loginsBefore } = await signedIn();
    await client.ensureLogin();
    await client.request("/api/things");

    expect(loginCalls()).toBe(loginsBefore);
    expect(server.requests.map((request) => request.path)).toEqual(["/api/things"]);
  });

  it.each([
    ["a 429 for a duplicate code", failure(429, "重复请求过于频繁,请勿重复提交同一登录凭证")],
    ["a 400 saying the code was used", failure(400, "微信 code 已被使用", { users_wx_code: { code: "wechat_code_used", message: "微信 code 已被使用" } })],
    ["a 400 saying the code is invalid", failure(400, "微信 code 无效或已过期", { users_wx_code: { code: "wechat_code_invalid", message: "微信 code 无效或已过期" } })],
  ])("gets a new code once after %s", async (_, firstAnswer) => {
    const { client, server, loginCalls } = setup();
    const login = server.routes["/api/wechat/login"];
    let attempts = 0;
    server.routes["/api/wechat/login"] = (request, self) => (++attempts === 1 ? firstAnswer : login(request, self));

    await client.login();
    expect(loginCalls()).toBe(2);
    expect(server.requests.map((request) => (request.body as { users_wx_code: string }).users_wx_code)).toEqual(["code-1", "code-2"]);
  });

  it("gives up after the one new code", async () => {
    const { client, server, loginCalls } = setup();
    server.routes["/api/wechat/login"] = () => failure(429, "重复请求过于频繁,请勿重复提交同一登录凭证");

    await expect(client.login()).rejects.toMatchObject({ status: 429 });
    expect(loginCalls()).toBe(2);
  });

  it.each([
    ["a 429 from the IP rate limit", failure(429, "请求过于频繁,请稍后重试")],
    ["a 429 from WeChat's rate limit", failure(429, "微信接口调用过于频繁,请稍后重试")],
    ["a 400 for a blocked user", failure(400, "用户存在风险", { users_wx_code: { code: "wechat_code_blocked", message: "用户存在风险" } })],
    ["a 502", failure(502, "微信服务暂时不可用,请稍后重试")],
  ])("does not spend another code on %s", async (_, answer) => {
    const { client, server, loginCalls } = setup();
    server.routes["/api/wechat/login"] = () => answer;

    const error = await client.login().catch((caught) => caught);
    expect(error).toBeInstanceOf(BaiClientError);
    expect(loginCalls()).toBe(1);
  });

  it("surfaces a disabled account as a 403 error and keeps no session", async () => {
    const { client, server } = setup();
    server.routes["/api/wechat/login"] = () => failure(403, "账号已被禁用,请联系管理员");

    const error: BaiClientError = await client.ensureLogin().catch((caught) => caught);
    expect(error).toMatchObject({ status: 403, code: 403, msg: "账号已被禁用,请联系管理员", isAccountUnavailable: true });
    expect(client.token).toBe("");
  });

  it("tells a duplicate code by its identifier, in whatever language the message is", async () => {
    const { client, server, loginCalls } = setup({ language: "en" });
    const login = server.routes["/api/wechat/login"];
    let attempts = 0;
    const duplicate = { status: 429, body: { code: 429, error: "duplicate_login_code", msg: "Repeated too soon", message: "Repeated too soon", data: {} } };
    server.routes["/api/wechat/login"] = (request, self) => (++attempts === 1 ? duplicate : login(request, self));

    await client.login();
    expect(loginCalls()).toBe(2);
  });

  it("gives the failure's identifier, and tells an unavailable account by it alone", async () => {
    const { client, server } = setup();
    server.routes["/api/wechat/login"] = () => ({
      status: 403,
      body: { code: 403, error: "account_disabled", msg: "This account has been disabled", message: "This account has been disabled", data: {} },
    });

    const error: BaiClientError = await client.login().catch((caught) => caught);
    expect(error).toMatchObject({ status: 403, error: "account_disabled", msg: "This account has been disabled", isAccountUnavailable: true });
    expect(client.token).toBe("");
  });

  it.each([
    ["PocketBase's own 403", { status: 403, body: { status: 403, message: "Only superusers can perform this action.", data: {} } }],
    ["our 403 for staff only", failure(403, "仅限管理员")],
    ["a 403 without an identifier", { status: 403, body: { code: 403, msg: "账号已被禁用,请联系管理员", data: {} } }],
    ["a 410 of another route", { status: 410, body: { status: 410, message: "Gone.", data: {} } }],
  ])("does not take %s for an unavailable account, and keeps the session", async (_, answer) => {
    const { client, server } = await signedIn();
    server.routes["/api/things"] = () => answer;

    const error: BaiClientError = await client.request("/api/things").catch((caught) => caught);
    expect(error).toMatchObject({ status: answer.status, isAccountUnavailable: false });
    expect(client.token).not.toBe("");
  });

  it("rejects with status 0 when wx.login fails, sending nothing", async () => {
    const { client, server, failLogin } = setup();
    failLogin("login:fail network");

    await expect(client.login()).rejects.toMatchObject({ status: 0, isNetworkError: true, url: "wx.login" });
    expect(server.requests).toEqual([]);
  });

  it("rejects an answer without a token rather than storing it", async () => {
    const { client, server, storage } = setup();
    server.routes["/api/wechat/login"] = () => ({ status: 200, body: { code: 200, msg: "ok", data: {} } });

    await expect(client.login()).rejects.toMatchObject({ status: 200, msg: "登录应答无法识别" });
    expect(storage.size).toBe(0);
  });
});

describe("phoneLogin", () => {
  it("does the wx.login itself and sends both codes, then keeps the session", async () => {
    const { client, server, loginCalls } = setup();
    const result = await client.phoneLogin("phone-code-1");

    expect(loginCalls()).toBe(1);
    expect(server.requests).toEqual([expect.objectContaining({ url: `${BASE_URL}/api/wechat/phone-login`, body: { users_wx_code: "code-1", users_phone_code: "phone-code-1" } })]);
    expect(result).toMatchObject({ status: "claimed", phone_mismatch: false, user: { users_phone: "13800138000" } });
    expect(client.user?.users_phone).toBe("13800138000");
    expect(client.token).not.toBe("");
  });

  it("sends an invite code on both logins when given one", async () => {
    const { client, server } = setup();
    await client.phoneLogin("phone-code-1", { inviteCode: "TEAM-2026" });
    await client.login({ inviteCode: "TEAM-2026" });
    expect(server.requests.map((request) => (request.body as { invite_code?: string }).invite_code)).toEqual(["TEAM-2026", "TEAM-2026"]);
  });

  it("gets a new login code once when WeChat already saw the first, keeping the phone code", async () => {
    const { client, server } = setup();
    server.usedCodes.add("code-1");
    await client.phoneLogin("phone-code-1");
    expect(server.requests.map((request) => request.body)).toEqual([
      { users_wx_code: "code-1", users_phone_code: "phone-code-1" },
      { users_wx_code: "code-2", users_phone_code: "phone-code-1" },
    ]);
  });
});

describe("a person the registration policy turns away", () => {
  const refusals: Array<[string, string, string, Record<string, boolean>]> = [
    ["use phone login", "请使用手机号快捷登录", "phone_login_required", { needsPhoneLogin: true, isPendingApproval: false, isRegistrationClosed: false, isAccountUnavailable: false }],
    ["wait for approval", "账号待管理员审核,审核通过后即可登录", "account_pending_approval", { needsPhoneLogin: false, isPendingApproval: true, isRegistrationClosed: false, isAccountUnavailable: true }],
    ["registration is closed", "暂不开放注册", "registration_closed", { needsPhoneLogin: false, isPendingApproval: false, isRegistrationClosed: true, isAccountUnavailable: false }],
    ["the number is not one staff entered", "该手机号未登记,请联系管理员开通账号", "phone_not_registered", { needsPhoneLogin: false, isPendingApproval: false, isRegistrationClosed: true, isAccountUnavailable: false }],
  ];

  it.each(refusals)("is told apart by its error id when told to %s", async (_, msg, error, flags) => {
    const { client, server } = setup();
    server.routes["/api/wechat/login"] = () => failure(403, msg, {}, error);
    server.routes["/api/wechat/phone-login"] = () => failure(403, msg, {}, error);

    expect(await client.ensureLogin().catch((caught) => caught)).toMatchObject({ status: 403, error, ...flags });
    expect(await client.phoneLogin("phone-code-1").catch((caught) => caught)).toMatchObject({ status: 403, error, ...flags });
    expect(client.token).toBe("");
  });

  it("tells a disabled account by its error id", async () => {
    const { client, server } = setup();
    server.routes["/api/wechat/login"] = () => failure(403, "账号已被禁用,请联系管理员");
    expect(await client.login().catch((caught) => caught)).toMatchObject({ error: "account_disabled", needsPhoneLogin: false, isPendingApproval: false, isAccountUnavailable: true });
  });
});

describe("a 401", () => {
  it("from ten parallel calls costs exactly one refresh and ten retries", async () => {
    const { client, server, loginCalls, loginsBefore } = await signedIn();
    const rejected = client.token;
    rejectOn(server, "/api/things", rejected);

    const answers = await times(10, () => client.request("/api/things"));

    expect(answers).toHaveLength(10);
    expect(server.count("/api/wechat/refresh-token")).toBe(1);
    const calls = server.requests.filter((request) => request.path === "/api/things");
    expect(calls.filter((request) => request.token === rejected)).toHaveLength(10);
    expect(calls.filter((request) => request.token === client.token)).toHaveLength(10);
    expect(loginCalls()).toBe(loginsBefore);
  });

  it("that arrives after another caller's refresh finished is retried with that new token, not refreshed again", async () => {
    const { client, server } = await signedIn();
    const rejected = client.token;
    let answered = 0;
    server.routes["/api/things"] = async (request) => {
      if (request.token !== rejected) return { status: 200, body: {} };
      // The second old-token call is answered only once the first call's refresh is done.
      if (++answered === 2) await new Promise((resolve) => setTimeout(resolve, 50));
      return failure(401, "token 无效或已过期,请重新登录");
    };

    await times(2, () => client.request("/api/things"));
    expect(server.count("/api/wechat/refresh-token")).toBe(1);
    expect(server.count("/api/things")).toBe(4);
  });

  it("is retried once only: a second 401 reaches the caller", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/things"] = () => failure(401, "token 无效或已过期,请重新登录");

    await expect(client.request("/api/things")).rejects.toMatchObject({ status: 401 });
    expect(server.count("/api/things")).toBe(2);
    expect(server.count("/api/wechat/refresh-token")).toBe(1);
  });

  it.each([
    ["401", 401],
    ["404", 404],
  ])("whose refresh also answers %s leads to one fresh wx.login shared by all callers", async (_, status) => {
    const { client, server, loginCalls, loginsBefore } = await signedIn();
    revokeAllTokens(server);
    if (status === 404) server.routes["/api/wechat/refresh-token"] = () => failure(404, "用户不存在");

    await times(10, () => client.request("/api/things"));

    expect(server.count("/api/wechat/refresh-token")).toBe(1);
    expect(loginCalls()).toBe(loginsBefore + 1);
    expect(server.count("/api/wechat/login")).toBe(1);
    expect(server.count("/api/things")).toBe(20);
  });

  it.each([
    [403, "账号已被禁用,请联系管理员"],
    [403, "账号注销中,重新登录即可撤销注销"],
    [410, "账号已注销"],
  ])("whose refresh answers %s %s ends the session with that error, without wx.login", async (status, msg) => {
    const { client, server, loginCalls, loginsBefore, storage } = await signedIn();
    revokeAllTokens(server);
    server.routes["/api/wechat/refresh-token"] = () => failure(status, msg);

    await expect(client.request("/api/things")).rejects.toMatchObject({ status, msg, isAccountUnavailable: true });
    expect(loginCalls()).toBe(loginsBefore);
    expect(client.token).toBe("");
    expect(storage.has("bai_auth")).toBe(false);
  });

  it("is not retried when the refresh fails on the network; the session is kept", async () => {
    const { client, server } = await signedIn();
    const token = client.token;
    revokeAllTokens(server);
    server.routes["/api/wechat/refresh-token"] = () => "network-failure";

    await expect(client.request("/api/things")).rejects.toMatchObject({ status: 0 });
    expect(client.token).toBe(token);
  });
});

describe("token renewal from exp", () => {
  it("refreshes before a call once less than the margin is left, once for parallel calls", async () => {
    const { client, server, loginCalls, loginsBefore } = await signedIn({ refreshMarginSeconds: DAY });
    const old = client.token;
    server.nowSeconds += 6 * DAY + 1; // 7-day token, under a day left

    await times(5, () => client.request("/api/things"));

    expect(server.requests[0].path).toBe("/api/wechat/refresh-token");
    expect(server.count("/api/wechat/refresh-token")).toBe(1);
    expect(server.requests.filter((request) => request.path === "/api/things").every((request) => request.token !== old)).toBe(true);
    expect(loginCalls()).toBe(loginsBefore);
  });

  it("does not refresh while more than the margin is left", async () => {
    const { client, server } = await signedIn({ refreshMarginSeconds: DAY });
    server.nowSeconds += 6 * DAY - 60;
    await client.request("/api/things");
    expect(server.count("/api/wechat/refresh-token")).toBe(0);
  });

  it("renews a short-lived token at half its lifetime, not on every call", async () => {
    const fake = fakeWx();
    fake.server.tokenLifetimeSeconds = 10;
    const { client, server } = setup({ refreshMarginSeconds: DAY }, fake);
    await client.login();
    server.nowSeconds += 4;
    await client.request("/api/things");
    expect(server.count("/api/wechat/refresh-token")).toBe(0);
    server.nowSeconds += 2;
    await client.request("/api/things");
    expect(server.count("/api/wechat/refresh-token")).toBe(1);
  });

  it("goes on with the unexpired token when the early refresh cannot reach the server", async () => {
    const { client, server } = await signedIn({ refreshMarginSeconds: DAY });
    const token = client.token;
    server.nowSeconds += 6 * DAY + 1;
    server.routes["/api/wechat/refresh-token"] = () => "network-failure";

    await client.request("/api/things");
    expect(server.requests.map((request) => [request.path, request.token === token])).toEqual([
      ["/api/wechat/refresh-token", true],
      ["/api/things", true],
    ]);
  });

  it("fails the call when the refresh cannot reach the server and the token has expired", async () => {
    const { client, server } = await signedIn();
    server.nowSeconds += 8 * DAY;
    server.routes["/api/wechat/refresh-token"] = () => "network-failure";

    await expect(client.request("/api/things")).rejects.toMatchObject({ status: 0 });
    expect(server.count("/api/things")).toBe(0);
  });

  it("asks the server before re-logging in with an expired token: refresh refused, one wx.login", async () => {
    const { client, server, loginCalls, loginsBefore } = await signedIn();
    server.nowSeconds += 8 * DAY;

    await client.request("/api/things");
    expect(server.requests.map((request) => request.path)).toEqual(["/api/wechat/refresh-token", "/api/wechat/login", "/api/things"]);
    expect(loginCalls()).toBe(loginsBefore + 1);
  });

  it("refresh() is single-flight and replaces the stored token", async () => {
    const { client, server, storage } = await signedIn();
    const old = client.token;
    const results = await times(3, () => client.refresh());

    expect(server.count("/api/wechat/refresh-token")).toBe(1);
    expect(client.token).not.toBe(old);
    expect((storage.get("bai_auth") as { token: string }).token).toBe(client.token);
    expect(results[0].user.pb_id).toBe("abc123xyz456789");
  });
});

describe("the session", () => {
  it("survives a restart: a new client finds token and user in wx storage and logs in no more", async () => {
    const { client, server, loginCalls, loginsBefore, restart } = await signedIn();
    const restarted = restart();

    expect(restarted.token).toBe(client.token);
    expect(restarted.user).toEqual(client.user);
    await restarted.request("/api/things");
    expect(loginCalls()).toBe(loginsBefore);
    expect(server.requests.map((request) => request.token)).toEqual([client.token]);
  });

  it.each([
    ["nothing", ""],
    ["garbage", "not a session"],
    ["a session without a token", { user: {}, savedAt: 1 }],
  ])("starts signed out when storage holds %s", (_, stored) => {
    const fake = fakeWx();
    fake.storage.set("bai_auth", stored);
    const { client } = setup({}, fake);
    expect(client.token).toBe("");
    expect(client.user).toBeNull();
  });

  it("tells onChange listeners about login, profile changes and logout, until they unsubscribe", async () => {
    const { client } = setup();
    const seen: Array<[boolean, string | undefined]> = [];
    const unsubscribe = client.onChange((token, user) => seen.push([token !== "", user?.users_name]));

    await client.login();
    await client.updateProfile({ name: "张三", phoneCode: "p-1", picture: "https://example.com/a.png" });
    await client.logout();
    unsubscribe();
    await client.login();

    expect(seen).toEqual([
      [true, ""],
      [true, "张三"],
      [false, undefined],
    ]);
  });

  it("uses a storage key of the app's choosing", async () => {
    const { client, storage } = setup({ storageKey: "my_app_session" });
    await client.login();
    expect([...storage.keys()]).toEqual(["my_app_session"]);
  });
});

describe("updateProfile", () => {
  it("posts the contract's field names with the token and keeps the returned user", async () => {
    const { client, server, storage } = await signedIn();
    const result = await client.updateProfile({ name: "张三", phoneCode: "p-13800138000-1", picture: "https://example.com/a.png" });

    expect(server.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/api/wechat/profile",
        token: client.token,
        body: { users_name: "张三", users_phone_code: "p-13800138000-1", users_picture: "https://example.com/a.png" },
      }),
    ]);
    expect(result.status).toBe("update_success");
    expect(client.user?.users_phone_masked).toBe("138****8000");
    expect((storage.get("bai_auth") as { user: { users_name: string } }).user.users_name).toBe("张三");
  });

  it.each([
    ["the name alone", { name: "张三" }, { users_name: "张三" }],
    ["the picture alone", { picture: "https://example.com/a.png" }, { users_picture: "https://example.com/a.png" }],
    ["a phone code alone", { phoneCode: "p-1" }, { users_phone_code: "p-1" }],
    ["name and picture", { name: "张三", picture: "https://example.com/a.png" }, { users_name: "张三", users_picture: "https://example.com/a.png" }],
    ["name and phone code", { name: "张三", phoneCode: "p-1" }, { users_name: "张三", users_phone_code: "p-1" }],
  ])("sends %s to POST /api/wechat/profile/fields, and only those fields", async (_, update, body) => {
    const { client, server, storage } = await signedIn();
    const result = await client.updateProfile(update);

    expect(server.requests).toEqual([expect.objectContaining({ method: "POST", path: "/api/wechat/profile/fields", token: client.token, body })]);
    expect(result.user).toEqual(client.user);
    expect((storage.get("bai_auth") as { user: unknown }).user).toEqual(client.user);
  });

  it("keeps the other fields of the user as the server answers them", async () => {
    const { client } = await signedIn();
    await client.updateProfile({ name: "张三", phoneCode: "p-1", picture: "https://example.com/a.png" });
    await client.updateProfile({ name: "李四" });
    expect(client.user).toMatchObject({ users_name: "李四", users_picture: "https://example.com/a.png", users_phone_masked: "138****8000" });
  });

  it("rejects with the field errors of a 400", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/profile"] = () =>
      failure(400, "参数错误", {
        users_name: { code: "validation_required", message: "不能为空" },
        users_picture: { code: "validation_invalid_url", message: "必须是 http(s) 图片地址" },
      });

    const error: BaiClientError = await client.updateProfile({ name: "", phoneCode: "p-1", picture: "x" }).catch((caught) => caught);
    expect(error).toBeInstanceOf(BaiClientError);
    expect(error.message).toBe("参数错误");
    expect(error.fieldErrors).toEqual({
      users_name: { code: "validation_required", message: "不能为空" },
      users_picture: { code: "validation_invalid_url", message: "必须是 http(s) 图片地址" },
    });
  });
});

describe("uploadAvatar", () => {
  it("sends the file with wx.uploadFile as field 'file' and answers data.url", async () => {
    const { client, server } = await signedIn();
    const url = await client.uploadAvatar("wxfile://tmp_avatar.png");

    expect(url).toBe("https://bai.example/pb/api/files/u/a/avatar.png");
    expect(server.requests).toEqual([
      expect.objectContaining({ path: "/api/wechat/avatar", url: `${BASE_URL}/api/wechat/avatar`, token: client.token, upload: { filePath: "wxfile://tmp_avatar.png", name: "file" } }),
    ]);
  });

  it("renews the token once on 401 and uploads again", async () => {
    const { client, server } = await signedIn();
    rejectOn(server, "/api/wechat/avatar", client.token);
    await client.uploadAvatar("wxfile://tmp_avatar.png");
    expect(server.requests.map((request) => request.path)).toEqual(["/api/wechat/avatar", "/api/wechat/refresh-token", "/api/wechat/avatar"]);
  });

  it("rejects an answer without data.url", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/avatar"] = () => ({ status: 200, body: "<html>" });
    await expect(client.uploadAvatar("wxfile://a.png")).rejects.toMatchObject({ status: 200, msg: "头像上传的应答无法识别" });
  });

  it("rejects with the server's error", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/avatar"] = () => failure(413, "图片过大");
    await expect(client.uploadAvatar("wxfile://a.png")).rejects.toMatchObject({ status: 413, msg: "图片过大" });
  });
});

describe("logout and deleteAccount", () => {
  it.each(["current", "all"] as const)("logout(%s) tells the server, then forgets the session", async (scope) => {
    const { client, server, storage } = await signedIn();
    const token = client.token;
    await client.logout(scope);

    expect(server.requests).toEqual([expect.objectContaining({ method: "POST", path: "/api/wechat/logout", token, body: { scope } })]);
    expect(client.token).toBe("");
    expect(storage.has("bai_auth")).toBe(false);
  });

  it.each([
    ["a void token (401)", failure(401, "token 无效或已过期,请重新登录")],
    ["an account being deleted (403)", failure(403, "账号注销中,重新登录即可撤销注销")],
    ["an erased account (410)", failure(410, "账号已注销")],
  ])("logout with %s still succeeds, without a refresh or wx.login", async (_, answer) => {
    const { client, server, loginCalls, loginsBefore } = await signedIn();
    server.routes["/api/wechat/logout"] = () => answer;
    await client.logout();
    expect(server.requests.map((request) => request.path)).toEqual(["/api/wechat/logout"]);
    expect(loginCalls()).toBe(loginsBefore);
    expect(client.token).toBe("");
  });

  it("logout rejects with a server error other than a refusal of the token, having forgotten the session", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/logout"] = () => failure(500, "服务器内部错误");
    await expect(client.logout("all")).rejects.toMatchObject({ status: 500 });
    expect(client.token).toBe("");
  });

  it("logout forgets the session here even when the server cannot be reached, and says so", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/logout"] = () => "network-failure";
    await expect(client.logout("all")).rejects.toMatchObject({ status: 0 });
    expect(client.token).toBe("");
  });

  it("logout when signed out sends nothing", async () => {
    const { client, server } = setup();
    await client.logout();
    expect(server.requests).toEqual([]);
  });

  it("deleteAccount posts with the token and no body, answers the deletion's status, then forgets the session", async () => {
    const { client, server, storage } = await signedIn();
    const token = client.token;
    expect(await client.deleteAccount()).toEqual({ status: "deletion_pending", deletion_due: "2026-04-03T10:00:00.000Z" });
    expect(server.requests).toEqual([expect.objectContaining({ method: "POST", path: "/api/wechat/delete-account", token, body: undefined })]);
    expect(storage.has("bai_auth")).toBe(false);
  });

  it("after deleteAccount the SDK never logs in by itself, even after a restart; an explicit login() does", async () => {
    const { client, server, loginCalls, loginsBefore, restart } = await signedIn();
    await client.deleteAccount();

    for (const call of [() => client.ensureLogin(), () => client.request("/api/things"), () => restart().refresh()]) {
      await expect(call()).rejects.toMatchObject({ status: 403, isAccountUnavailable: true });
    }
    expect(loginCalls()).toBe(loginsBefore);

    await client.login();
    await client.request("/api/things");
    await restart().ensureLogin();
    expect(loginCalls()).toBe(loginsBefore + 1);
    expect(server.count("/api/wechat/login")).toBe(1);
  });

  it("a login it makes by itself never cancels a deletion requested on another device; login() does", async () => {
    const { client, server } = await signedIn();
    revokeAllTokens(server); // the other device's delete-account voided every token
    server.routes["/api/wechat/login"] = (request) =>
      (request.body as { cancel_deletion?: boolean }).cancel_deletion === false
        ? failure(403, "账号注销中,重新登录即可撤销注销")
        : { status: 200, body: server.authAnswer("登录成功,已撤销账号注销", { status: "login_success", deletion_cancelled: true }) };

    await expect(client.request("/api/things")).rejects.toMatchObject({ status: 403, isAccountUnavailable: true });
    expect(client.token).toBe("");
    const automatic = server.requests.filter((request) => request.path === "/api/wechat/login");
    expect(automatic.map((request) => request.body)).toEqual([expect.objectContaining({ cancel_deletion: false })]);

    expect((await client.login()).deletion_cancelled).toBe(true);
    expect(server.requests.filter((request) => request.path === "/api/wechat/login").at(-1)!.body).toEqual({ users_wx_code: expect.any(String) });
  });

  it("deleteAccount keeps the session when the server refuses", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/delete-account"] = () => failure(500, "服务器内部错误");
    await expect(client.deleteAccount()).rejects.toMatchObject({ status: 500 });
    expect(client.token).not.toBe("");
  });
});

describe("request", () => {
  it.each([
    ["https://bai.example/pb", "https://bai.example/pb/api/things"],
    ["https://bai.example/pb/", "https://bai.example/pb/api/things"],
    ["http://127.0.0.1:8090", "http://127.0.0.1:8090/api/things"],
  ])("joins baseUrl %s and the path", async (baseUrl, expected) => {
    const { client, server } = setup({ baseUrl });
    await client.login();
    await client.request("api/things");
    expect(server.requests.at(-1)?.url).toBe(expected);
  });

  it("sends GET without a body, with the query encoded, for PocketBase's own API", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/tbl_company/records"] = () => ({ status: 200, body: { items: [] } });
    const answer = await client.request<{ items: unknown[] }>("/api/collections/tbl_company/records", { query: { filter: "company_id = 'C 1'", page: 2, skip: undefined } });

    expect(answer).toEqual({ items: [] });
    expect(server.requests[0]).toMatchObject({ method: "GET", body: undefined, token: client.token });
    expect(server.requests[0].url).toBe(`${BASE_URL}/api/collections/tbl_company/records?filter=company_id%20%3D%20'C%201'&page=2`);
    expect(server.requests[0].headers["content-type"]).toBeUndefined();
  });

  it("with auth: false sends no token and never logs in", async () => {
    const { client, server, loginCalls } = setup();
    server.routes["/api/system/health"] = () => ({ status: 200, body: { code: 200, msg: "服务运行正常", data: { status: "healthy", timestamp: "" } } });
    const health = await client.request("/api/system/health", { method: "POST", auth: false });

    expect(health.data.status).toBe("healthy");
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(loginCalls()).toBe(0);
  });

  it("reads PocketBase's own error envelope into the same error", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/tbl_auth_users/records"] = () => ({
      status: 400,
      body: { status: 400, message: "Failed to create record.", data: { email: { code: "validation_required", message: "Missing required value." } } },
    });

    const error: BaiClientError = await client.request("/api/collections/tbl_auth_users/records", { body: {} }).catch((caught) => caught);
    expect(error).toMatchObject({ status: 400, code: 400, msg: "Failed to create record.", fieldErrors: { email: { code: "validation_required", message: "Missing required value." } } });
  });

  it("rejects with status 0 when no answer arrives", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/things"] = () => "network-failure";
    const error: BaiClientError = await client.request("/api/things").catch((caught) => caught);
    expect(error).toMatchObject({ status: 0, isNetworkError: true, url: `${BASE_URL}/api/things` });
    expect(error.message).toContain("request:fail timeout");
  });
});

describe("language", () => {
  const languageSent = (server: FakeServer) => server.requests.map((request) => request.headers["accept-language"]);

  it.each([
    ["zh_CN", "zh-CN"],
    ["en", "en"],
    ["zh_TW", "zh-TW"],
    ["en_US", "en-US"],
  ])("sends WeChat's language %s as Accept-Language %s on every request", async (wechat, header) => {
    const fake = fakeWx();
    fake.wx.getAppBaseInfo = () => ({ language: wechat });
    const { client, server } = setup({}, fake);
    await client.login();
    await client.request("/api/things");
    await client.uploadAvatar("wxfile://tmp/a.png").catch(() => undefined);
    await client.logout();

    expect(languageSent(server)).toEqual(server.requests.map(() => header));
  });

  it("reads getSystemInfoSync where getAppBaseInfo is missing or fails", async () => {
    const fake = fakeWx();
    fake.wx.getAppBaseInfo = () => {
      throw new Error("getAppBaseInfo:fail");
    };
    fake.wx.getSystemInfoSync = () => ({ language: "en" });
    const { client, server } = setup({}, fake);
    await client.login();
    expect(languageSent(server)).toEqual(["en"]);
  });

  it("sends no Accept-Language when WeChat says none, or something no language tag spells", async () => {
    for (const language of [undefined, "", "zh CN", "中文"]) {
      const fake = fakeWx();
      fake.wx.getAppBaseInfo = () => ({ language });
      const { client, server } = setup({}, fake);
      await client.login();
      expect(languageSent(server)).toEqual([undefined]);
    }
  });

  it("sends the language option instead, or none for \"\"; a request's own header wins", async () => {
    const fake = fakeWx();
    fake.wx.getAppBaseInfo = () => ({ language: "zh_CN" });
    const english = setup({ language: "en" }, fake);
    await english.client.login();
    await english.client.request("/api/things", { headers: { "accept-language": "zh-CN" } });
    expect(languageSent(english.server)).toEqual(["en", "zh-CN"]);

    const none = setup({ language: "" });
    await none.client.login();
    expect(languageSent(none.server)).toEqual([undefined]);
  });
});

describe("consents and the user's data", () => {
  const overview = { enforced: true, documents: [{ document: "privacy_policy", title: "隐私政策", version: "2", url: "https://e.com/p2", accepted_version: null, accepted_at: null, consent_required: true }] };

  it("consents() and myData() GET with the token; giveConsent and withdrawConsent POST the action and the items", async () => {
    const { client, server } = await signedIn();
    const token = client.token;
    server.routes["/api/wechat/consents"] = () => ({ status: 200, body: { code: 200, msg: "已记录", data: overview } });
    server.routes["/api/wechat/my-data"] = () => ({ status: 200, body: { code: 200, msg: "请求成功", data: { generated_at: "2026-11-22T00:00:00.000Z" } } });

    expect(await client.consents()).toEqual(overview);
    expect(await client.giveConsent([{ document: "privacy_policy", version: "2" }])).toEqual(overview);
    expect(await client.withdrawConsent(["privacy_policy"], "prompt")).toEqual(overview);
    expect(await client.myData()).toEqual({ generated_at: "2026-11-22T00:00:00.000Z" });
    expect(server.requests.map(({ method, path, body, token }) => ({ method, path, body, token }))).toEqual([
      { method: "GET", path: "/api/wechat/consents", body: undefined, token },
      { method: "POST", path: "/api/wechat/consents", body: { action: "agree", consents: [{ document: "privacy_policy", version: "2" }], source: "settings" }, token },
      { method: "POST", path: "/api/wechat/consents", body: { action: "withdraw", consents: [{ document: "privacy_policy" }], source: "prompt" }, token },
      { method: "GET", path: "/api/wechat/my-data", body: undefined, token },
    ]);
  });

  it("rejects an agreement to an old version with the current ones in the error's data", async () => {
    const { client, server } = await signedIn();
    const current = [{ document: "privacy_policy", title: "隐私政策", version: "2", url: "https://e.com/p2" }];
    server.routes["/api/wechat/consents"] = () => failure(409, "协议已更新,请阅读最新版本后再同意", { documents: current });
    const error: BaiClientError = await client.giveConsent([{ document: "privacy_policy", version: "1" }]).catch((caught) => caught);
    expect(error).toMatchObject({ status: 409, data: { documents: current } });
  });
});
