import { randomBytes } from "node:crypto";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { DEVTOOLS_PHONE_NUMBER, devtoolsModeFromEnv, devtoolsOpenid, parseLatency, startWechatSimulator } from "./wechat-simulator.mjs";

const APP_ID = "wx_test_appid";
const SECRET = "test_secret";
// Two more apps of the same open platform: a 公众号 and a second mini-program.
const OA = { appId: "wx_test_oa", secret: "test_secret_oa" };
const SECOND = { appId: "wx_test_second", secret: "test_secret_second" };

let sim;
let nonceCounter = 0;
const nonce = () => `${Date.now()}${++nonceCounter}`;

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: APP_ID, secret: SECRET, apps: [OA, SECOND] });
});

afterAll(async () => {
  await sim.close();
});

// WeChat's errmsg ends in a request id: "invalid code rid: 61ef911d-660e539f-1c6f321e".
const errmsgWithRid = (text) => expect.stringMatching(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`));
const wechatError = (errcode, errmsg) => ({ errcode, errmsg: errmsgWithRid(errmsg) });

// fetch's failure when the simulator destroys the socket without an answer.
const connectionReset = { name: "TypeError", cause: expect.objectContaining({ code: "UND_ERR_SOCKET" }) };
const timedOut = { name: "TimeoutError" };

function login(jsCode, overrides = {}) {
  const query = new URLSearchParams({ appid: APP_ID, secret: SECRET, js_code: jsCode, grant_type: "authorization_code", ...overrides });
  return fetch(`${sim.url}/sns/jscode2session?${query}`);
}

async function loginJson(jsCode, overrides) {
  const res = await login(jsCode, overrides);
  return JSON.parse(await res.text()); // text/plain, so res.json() would be the wrong habit
}

function postJson(path, body) {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function control(path, body = {}) {
  const res = await postJson(`/__sim/${path}`, body);
  expect(res.status).toBe(200);
  return res.json();
}

async function getJson(path, params) {
  return (await fetch(`${sim.url}${path}?${new URLSearchParams(params)}`)).json();
}

async function stableToken(overrides = {}) {
  const res = await postJson("/cgi-bin/stable_token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET, force_refresh: false, ...overrides });
  return res.json();
}

function phone(accessToken, code) {
  const query = accessToken === undefined ? "" : `?access_token=${encodeURIComponent(accessToken)}`;
  return postJson(`/wxa/business/getuserphonenumber${query}`, { code });
}

describe("control API", () => {
  it("answers health", async () => {
    const res = await fetch(`${sim.url}/__sim/health`);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("rejects an unknown stable_token mode", async () => {
    const res = await postJson("/__sim/stable-token/mode", { mode: "nope" });
    expect(res.status).toBe(400);
  });
});

describe("jscode2session", () => {
  it("succeeds for u-<name>, as text/plain, and the code is single-use", async () => {
    const code = `u-alice-${nonce()}`;
    const res = await login(code);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const session = JSON.parse(await res.text());
    expect(session.openid).toBe("osim_alice");
    expect(session.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(session).not.toHaveProperty("unionid");
    expect(session).not.toHaveProperty("errcode");

    expect(await loginJson(code)).toEqual(wechatError(40163, "code been used"));
  });

  it("adds a unionid when the name contains 'union'", async () => {
    const session = await loginJson(`u-unionbob-${nonce()}`);
    expect(session.openid).toBe("osim_unionbob");
    expect(session.unionid).toBe("usim_unionbob");
  });

  it("checks appid, secret, grant_type and js_code in that order", async () => {
    expect((await loginJson(`u-a-${nonce()}`, { appid: "wrong", secret: "wrong" })).errcode).toBe(40013);
    expect((await loginJson(`u-a-${nonce()}`, { secret: "wrong", grant_type: "x" })).errcode).toBe(40125);
    expect((await loginJson(`u-a-${nonce()}`, { grant_type: "x" })).errcode).toBe(40002);
    expect(await loginJson("")).toEqual(wechatError(41008, "missing code"));
  });

  it.each([
    ["invalid", 40029],
    ["blocked", 40226],
    ["ratelimit", 45011],
    ["busy", -1],
    ["whatever", 40029],
  ])("answers errcode for %s-... codes", async (prefix, errcode) => {
    const res = await login(`${prefix}-${nonce()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    const body = JSON.parse(await res.text());
    expect(body.errcode).toBe(errcode);
    expect(typeof body.errmsg).toBe("string");
  });

  it("answers garbage, truncated JSON and HTTP 500 without consuming the code", async () => {
    const garbageCode = `garbage-${nonce()}`;
    for (let i = 0; i < 2; i++) {
      const res = await login(garbageCode);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain");
      expect(await res.text()).toBe("<html>not json");
    }

    const truncated = await login(`truncated-${nonce()}`);
    const truncatedText = await truncated.text();
    expect(truncatedText).toBe('{"openid":"o');
    expect(() => JSON.parse(truncatedText)).toThrow();

    const failed = await login(`http500-${nonce()}`);
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("resets the connection for reset-... and never answers hang-..., without consuming the code", async () => {
    const resetCode = `reset-${nonce()}`;
    await expect(login(resetCode)).rejects.toMatchObject(connectionReset);
    await expect(login(resetCode)).rejects.toMatchObject(connectionReset);

    const query = new URLSearchParams({ appid: APP_ID, secret: SECRET, js_code: `hang-${nonce()}`, grant_type: "authorization_code" });
    await expect(fetch(`${sim.url}/sns/jscode2session?${query}`, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject(timedOut);
  });

  it("uses the code up before losing the answer for consumed_* codes: the retry gets 40163", async () => {
    const resetCode = `consumed_reset-${nonce()}`;
    await expect(login(resetCode)).rejects.toMatchObject(connectionReset);
    expect(await loginJson(resetCode)).toEqual(wechatError(40163, "code been used"));

    const truncatedCode = `consumed_truncated-${nonce()}`;
    expect(await (await login(truncatedCode)).text()).toBe('{"openid":"o');
    expect(await loginJson(truncatedCode)).toEqual(wechatError(40163, "code been used"));

    const hangCode = `consumed_hang-${nonce()}`;
    const query = new URLSearchParams({ appid: APP_ID, secret: SECRET, js_code: hangCode, grant_type: "authorization_code" });
    await expect(fetch(`${sim.url}/sns/jscode2session?${query}`, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject(timedOut);
    expect(await loginJson(hangCode)).toEqual(wechatError(40163, "code been used"));
  });

  it("delays slow-<ms>-<name> codes, then succeeds", async () => {
    const started = Date.now();
    const session = await loginJson(`slow-150-carol-${nonce()}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(session.openid).toBe("osim_carol");
  });

  it("holds held-<name> codes until the test releases them, then succeeds", async () => {
    const code = `held-dave-${nonce()}`;
    let answered = false;
    const pending = loginJson(code).then((session) => ((answered = true), session));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(answered).toBe(false);
    expect(await control("release", { code })).toEqual({ ok: true, held: true });
    expect((await pending).openid).toBe("osim_dave");
  });
});

describe("stable_token", () => {
  it("returns the same token until force_refresh, which invalidates the old one", async () => {
    const res = await postJson("/cgi-bin/stable_token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET });
    expect(res.headers.get("content-type")).toBe("application/json; encoding=utf-8");
    const first = await res.json();
    expect(typeof first.access_token).toBe("string");
    expect(first.expires_in).toBeGreaterThan(7000);
    expect(first.expires_in).toBeLessThanOrEqual(7200);

    const again = await stableToken();
    expect(again.access_token).toBe(first.access_token);

    const refreshed = await stableToken({ force_refresh: true });
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.expires_in).toBe(7200);
    expect(await (await phone(first.access_token, `p-13800000000-${nonce()}`)).json()).toMatchObject({ errcode: 40001 });
    expect(await (await phone(refreshed.access_token, `p-13800000000-${nonce()}`)).json()).toMatchObject({ errcode: 0 });
  });

  it("validates the request body", async () => {
    expect(await stableToken({ appid: "" })).toEqual(wechatError(41002, "appid missing"));
    expect(await stableToken({ secret: undefined })).toEqual(wechatError(41004, "appsecret missing"));
    expect((await stableToken({ appid: "wrong" })).errcode).toBe(40013);
    expect((await stableToken({ secret: "wrong" })).errcode).toBe(40125);
    expect((await stableToken({ grant_type: "password" })).errcode).toBe(40002);
    expect((await (await postJson("/cgi-bin/stable_token", "not json")).json()).errcode).toBe(47001);
  });

  it("follows the failure mode set through the control API", async () => {
    await control("stable-token/mode", { mode: "busy" });
    expect(await stableToken()).toEqual(wechatError(-1, "system error"));
    await control("stable-token/mode", { mode: "ratelimit" });
    expect((await stableToken()).errcode).toBe(45009);
    for (const [mode, errcode] of [["ip-not-whitelisted", 40164], ["ip-needs-confirmation", 89503], ["appid-missing", 41002], ["secret-missing", 41004]]) {
      await control("stable-token/mode", { mode });
      expect(await stableToken()).toMatchObject({ errcode, errmsg: expect.stringMatching(/ rid: /) });
    }
    await control("stable-token/mode", { mode: "http500" });
    const failed = await postJson("/cgi-bin/stable_token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET });
    expect(failed.status).toBe(500);
    await control("stable-token/mode", { mode: "ok" });
    expect(typeof (await stableToken()).access_token).toBe("string");
  });
});

describe("getuserphonenumber", () => {
  it("returns phone_info for p-<digits>, and a reused code is invalid", async () => {
    const { access_token } = await stableToken();
    const code = `p-13912345678-${nonce()}`;
    const res = await phone(access_token, code);
    expect(res.headers.get("content-type")).toBe("application/json; encoding=utf-8");
    const body = await res.json();
    expect(body).toMatchObject({
      errcode: 0,
      errmsg: "ok",
      phone_info: { phoneNumber: "13912345678", purePhoneNumber: "13912345678", countryCode: "86", watermark: { appid: APP_ID } },
    });
    expect(Math.abs(body.phone_info.watermark.timestamp - Date.now() / 1000)).toBeLessThan(5);

    expect(await (await phone(access_token, code)).json()).toEqual(wechatError(40029, "invalid code"));
  });

  it("gives countryCode as a number for pnum-<digits>, as WeChat's own example does", async () => {
    const { access_token } = await stableToken();
    const body = await (await phone(access_token, `pnum-13912345678-${nonce()}`)).json();
    expect(body.phone_info).toMatchObject({ phoneNumber: "13912345678", countryCode: 86 });
  });

  it("gives a number outside mainland China for pcc-<cc>-<digits>", async () => {
    const { access_token } = await stableToken();
    const body = await (await phone(access_token, `pcc-852-61234567-${nonce()}`)).json();
    expect(body.phone_info).toMatchObject({ phoneNumber: "+852 61234567", purePhoneNumber: "61234567", countryCode: "852" });
  });

  it("uses the code up before losing the answer for consumed_* codes: the retry gets 40029", async () => {
    const { access_token } = await stableToken();
    const resetCode = `consumed_reset-${nonce()}`;
    await expect(phone(access_token, resetCode)).rejects.toMatchObject(connectionReset);
    expect(await (await phone(access_token, resetCode)).json()).toEqual(wechatError(40029, "invalid code"));

    const truncatedCode = `consumed_truncated-${nonce()}`;
    expect(await (await phone(access_token, truncatedCode)).text()).toMatch(/^\{"errcode":0,.*"phoneNumber":"1$/);
    expect(await (await phone(access_token, truncatedCode)).json()).toEqual(wechatError(40029, "invalid code"));

    const hangCode = `consumed_hang-${nonce()}`;
    const hung = postJson(`/wxa/business/getuserphonenumber?access_token=${access_token}`, { code: hangCode });
    await expect(Promise.race([hung, new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error("no answer"), { name: "TimeoutError" })), 200))])).rejects.toMatchObject(timedOut);
    expect(await (await phone(access_token, hangCode)).json()).toEqual(wechatError(40029, "invalid code"));
  });

  it("holds held-<digits> codes until released; a code released before its call is answered at once", async () => {
    const { access_token } = await stableToken();
    const code = `held-13700137000-${nonce()}`;
    let answered = false;
    const pending = phone(access_token, code).then((res) => ((answered = true), res.json()));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(answered).toBe(false);
    await control("release", { code });
    expect((await pending).phone_info.phoneNumber).toBe("13700137000");

    const early = `held-13700137001-${nonce()}`;
    expect(await control("release", { code: early })).toEqual({ ok: true, held: false });
    expect((await (await phone(access_token, early)).json()).phone_info.phoneNumber).toBe("13700137001");
  });

  it("answers code errors", async () => {
    const { access_token } = await stableToken();
    expect((await (await phone(access_token, `invalid-${nonce()}`)).json()).errcode).toBe(40029);
    expect((await (await phone(access_token, `ratelimit-${nonce()}`)).json()).errcode).toBe(45011);
    expect((await (await phone(access_token, `busy-${nonce()}`)).json()).errcode).toBe(-1);
    expect((await (await phone(access_token, `u-alice-${nonce()}`)).json()).errcode).toBe(40029);
    expect(await (await phone(access_token, `wrongapp-${nonce()}`)).json()).toEqual(wechatError(40013, "invalid appid"));
  });

  it("answers 41001, 42001 and 40001 for missing, expired and revoked tokens", async () => {
    expect((await (await phone(undefined, `p-1-${nonce()}`)).json()).errcode).toBe(41001);
    expect((await (await phone("never-issued", `p-1-${nonce()}`)).json()).errcode).toBe(40001);

    const { access_token: expiring } = await stableToken();
    await control("access-token/expire");
    expect(await (await phone(expiring, `p-1-${nonce()}`)).json()).toEqual(wechatError(42001, "access_token expired"));

    const { access_token: fresh } = await stableToken();
    expect(fresh).not.toBe(expiring);
    expect((await (await phone(fresh, `p-1-${nonce()}`)).json()).errcode).toBe(0);

    await control("access-token/revoke");
    expect((await (await phone(fresh, `p-1-${nonce()}`)).json()).errcode).toBe(40001);
  });

  it("rejects the current token n times while stable_token keeps handing it out", async () => {
    await control("reset");
    const { access_token } = await stableToken();
    await control("access-token/reject", { errcode: 40001, times: 2 });
    for (let i = 0; i < 2; i++) {
      expect(await (await phone(access_token, `p-1-${nonce()}`)).json()).toEqual(
        wechatError(40001, "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken"),
      );
      expect((await stableToken()).access_token).toBe(access_token);
    }
    expect((await (await phone(access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
  });

  it("rejects the current token until a forced refresh replaces it, with 40001 or 40014", async () => {
    await control("reset");
    const { access_token } = await stableToken();
    await control("access-token/reject", { errcode: 40014 });
    for (let i = 0; i < 3; i++) expect(await (await phone(access_token, `p-1-${nonce()}`)).json()).toEqual(wechatError(40014, "invalid access_token"));
    const forced = await stableToken({ force_refresh: true });
    expect((await (await phone(forced.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
  });

  it("refuses a bad rejection", async () => {
    expect((await postJson("/__sim/access-token/reject", { errcode: 42001 })).status).toBe(400);
    expect((await postJson("/__sim/access-token/reject", { errcode: 40001, times: 0 })).status).toBe(400);
  });
});

describe("getuserriskrank", () => {
  const riskRank = (accessToken, body) => postJson(`/wxa/getuserriskrank?access_token=${encodeURIComponent(accessToken)}`, body);
  const ask = (accessToken, openid, overrides = {}) => riskRank(accessToken, { appid: APP_ID, openid, scene: 0, client_ip: "203.0.113.9", ...overrides });

  it("answers the rank a part of the openid's name picks, 0 otherwise", async () => {
    const { access_token } = await stableToken();
    expect(await (await ask(access_token, "osim_bob_risk4")).json()).toMatchObject({ errcode: 0, errmsg: "getuserriskrank succ", risk_rank: 4, unoin_id: expect.any(Number) });
    expect(await (await ask(access_token, "osim_carol")).json()).toMatchObject({ errcode: 0, risk_rank: 0 });
  });

  it("answers the errcode riskerr<code> picks (riskerrm1 is -1), and checks what WeChat checks", async () => {
    const { access_token } = await stableToken();
    expect(await (await ask(access_token, "osim_x_riskerrm1")).json()).toEqual(wechatError(-1, "system error"));
    expect(await (await ask(access_token, "osim_x_riskerr48001")).json()).toEqual(wechatError(48001, "api unauthorized"));
    expect(await (await ask(access_token, "osim_x_riskerr61010")).json()).toEqual(wechatError(61010, "openid expired"));
    expect(await (await ask(access_token, "osim_carol", { appid: "wx_other" })).json()).toEqual(wechatError(43104, "appid not match openid"));
    expect(await (await ask(access_token, "osim_carol", { client_ip: "" })).json()).toEqual(wechatError(47001, "data format error"));
    expect(await (await ask("not-a-token", "osim_carol")).json()).toMatchObject({ errcode: 40001 });
  });

  it("answers for the app whose token asks, about that app's own openids", async () => {
    const { access_token } = await stableToken({ appid: SECOND.appId, secret: SECOND.secret });
    const askSecond = (openid, appid = SECOND.appId) => riskRank(access_token, { appid, openid, scene: 0, client_ip: "203.0.113.9" });
    expect(await (await askSecond(`osim_${SECOND.appId}_bob_risk3`)).json()).toMatchObject({ errcode: 0, risk_rank: 3 });
    expect(await (await askSecond("osim_bob_risk3")).json()).toEqual(wechatError(40003, "invalid openid"));
    expect(await (await askSecond(`osim_${SECOND.appId}_bob`, APP_ID)).json()).toEqual(wechatError(43104, "appid not match openid"));
    const { access_token: primaryToken } = await stableToken();
    expect(await (await ask(primaryToken, `osim_${SECOND.appId}_bob`)).json()).toEqual(wechatError(40003, "invalid openid"));
  });

  it("fails in transit for riskhttp500 and riskgarbage", async () => {
    const { access_token } = await stableToken();
    expect((await ask(access_token, "osim_x_riskhttp500")).status).toBe(500);
    expect(await (await ask(access_token, "osim_x_riskgarbage")).text()).toBe("<html>not json");
  });
});

describe("forced refreshes", () => {
  it("refresh at most once per 30 s: a sooner forced call hands back the current token", async () => {
    await control("reset");
    const first = await stableToken({ force_refresh: true });
    const again = await stableToken({ force_refresh: true });
    expect(again.access_token).toBe(first.access_token);
    expect((await (await phone(first.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
    expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toMatchObject({ stable_token: 2, stable_token_forced: 2 });
  });

  it("answer 45009 once 20 forced calls were made today", async () => {
    await control("reset");
    await control("stable-token/forced-refreshes", { used: 19 });
    expect(typeof (await stableToken({ force_refresh: true })).access_token).toBe("string");
    expect(await stableToken({ force_refresh: true })).toEqual(wechatError(45009, "reach max api daily quota limit"));
    expect(typeof (await stableToken()).access_token).toBe("string");
    await control("reset");
    expect(typeof (await stableToken({ force_refresh: true })).access_token).toBe("string");
  });

  it("follow the interval and cap given as options", async () => {
    const strict = await startWechatSimulator({ appId: APP_ID, secret: SECRET, forceRefreshIntervalSeconds: 0.1, forceRefreshDailyLimit: 2 });
    try {
      const force = async () =>
        (await fetch(`${strict.url}/cgi-bin/stable_token`, { method: "POST", body: JSON.stringify({ grant_type: "client_credential", appid: APP_ID, secret: SECRET, force_refresh: true }) })).json();
      const first = await force();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await force()).access_token).not.toBe(first.access_token);
      expect((await force()).errcode).toBe(45009);
    } finally {
      await strict.close();
    }
  });
});

describe("apps: each appid has its own secret and access tokens", () => {
  const tokenOf = (app, overrides = {}) => stableToken({ appid: app.appId, secret: app.secret, ...overrides });

  it("checks each app's own secret", async () => {
    expect((await tokenOf(OA, { secret: SECRET })).errcode).toBe(40125);
    expect(typeof (await tokenOf(OA)).access_token).toBe("string");
    expect((await loginJson(`u-amy-${nonce()}`, { appid: SECOND.appId, secret: SECRET })).errcode).toBe(40125);
    expect((await loginJson(`u-amy-${nonce()}`, { appid: SECOND.appId, secret: SECOND.secret })).openid).toBe(`osim_${SECOND.appId}_amy`);
  });

  it("hands each app its own token, and answers an API as the app whose token it got", async () => {
    await control("reset");
    const primary = await stableToken();
    const second = await tokenOf(SECOND);
    expect(second.access_token).not.toBe(primary.access_token);
    expect((await tokenOf(SECOND)).access_token).toBe(second.access_token);
    const watermarkOf = async (token) => (await (await phone(token, `p-13800000000-${nonce()}`)).json()).phone_info.watermark.appid;
    expect(await watermarkOf(primary.access_token)).toBe(APP_ID);
    expect(await watermarkOf(second.access_token)).toBe(SECOND.appId);
  });

  it("forces, caps and revokes one app's tokens without touching another's", async () => {
    await control("reset");
    const primary = await stableToken();
    const second = await tokenOf(SECOND);
    const forced = await tokenOf(SECOND, { force_refresh: true });
    expect(forced.access_token).not.toBe(second.access_token);
    expect((await (await phone(second.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(40001);
    expect((await (await phone(primary.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
    expect((await stableToken()).access_token).toBe(primary.access_token);

    await control("stable-token/forced-refreshes", { used: 20, appid: SECOND.appId });
    expect((await tokenOf(SECOND, { force_refresh: true })).errcode).toBe(45009);
    expect(typeof (await stableToken({ force_refresh: true })).access_token).toBe("string");

    await control("access-token/revoke", { appid: SECOND.appId });
    expect((await (await phone(forced.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(40001);
    expect((await (await phone((await stableToken()).access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
    expect((await postJson("/__sim/access-token/revoke", { appid: "wx_not_ours" })).status).toBe(400);
  });

  it("rejects one app's current token on request, not another's", async () => {
    await control("reset");
    const primary = await stableToken();
    const second = await tokenOf(SECOND);
    await control("access-token/reject", { errcode: 40001, times: 1, appid: SECOND.appId });
    expect((await (await phone(primary.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
    expect((await (await phone(second.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(40001);
    expect((await (await phone(second.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(0);
  });
});

describe("网页授权: sns/oauth2/access_token and sns/userinfo", () => {
  const webToken = (code, overrides = {}) =>
    getJson("/sns/oauth2/access_token", { appid: OA.appId, secret: OA.secret, code, grant_type: "authorization_code", ...overrides });
  const userInfo = (accessToken, openid) => getJson("/sns/userinfo", { access_token: accessToken, openid, lang: "zh_CN" });

  it("answers a snsapi_base code with the openid alone, single-use; userinfo is not allowed", async () => {
    const code = `oab-unionann-${nonce()}`;
    const res = await fetch(`${sim.url}/sns/oauth2/access_token?${new URLSearchParams({ appid: OA.appId, secret: OA.secret, code, grant_type: "authorization_code" })}`);
    expect(res.headers.get("content-type")).toBe("application/json; encoding=utf-8");
    const answer = await res.json();
    expect(answer).toEqual({
      access_token: expect.any(String),
      expires_in: 7200,
      refresh_token: expect.any(String),
      openid: `osim_${OA.appId}_unionann`,
      scope: "snsapi_base",
    });
    expect(await webToken(code)).toEqual(wechatError(40163, "code been used"));
    expect(await userInfo(answer.access_token, answer.openid)).toEqual(wechatError(48001, "api unauthorized"));
    const { tokens } = await (await fetch(`${sim.url}/__sim/sns-tokens`)).json();
    expect(tokens).toEqual(expect.arrayContaining([answer.access_token, answer.refresh_token]));
  });

  it("gives the unionid of a snsapi_userinfo code in the token's answer and in userinfo's", async () => {
    const answer = await webToken(`oau-unionbea-${nonce()}`);
    expect(answer).toMatchObject({ openid: `osim_${OA.appId}_unionbea`, scope: "snsapi_userinfo", unionid: "usim_unionbea" });
    expect(await userInfo(answer.access_token, answer.openid)).toEqual({
      openid: answer.openid,
      nickname: "sim_unionbea",
      sex: 0,
      province: "",
      city: "",
      country: "",
      headimgurl: "",
      privilege: [],
      unionid: "usim_unionbea",
    });
    const plain = await webToken(`oau-cat-${nonce()}`);
    expect(plain).not.toHaveProperty("unionid");
    expect(await userInfo(plain.access_token, plain.openid)).not.toHaveProperty("unionid");
  });

  it("gives the unionid of an oauinfo- code only through userinfo", async () => {
    const answer = await webToken(`oauinfo-uniondee-${nonce()}`);
    expect(answer.scope).toBe("snsapi_userinfo");
    expect(answer).not.toHaveProperty("unionid");
    expect((await userInfo(answer.access_token, answer.openid)).unionid).toBe("usim_uniondee");
  });

  it("answers a website's snsapi_login code", async () => {
    expect(await webToken(`web-unioneve-${nonce()}`)).toMatchObject({ openid: `osim_${OA.appId}_unioneve`, scope: "snsapi_login", unionid: "usim_unioneve" });
  });

  it("answers a snapshot page's virtual account: is_snapshotuser 1, a new openid each time, no unionid", async () => {
    const first = await webToken(`snapshot-unionfay-${nonce()}`);
    const second = await webToken(`snapshot-unionfay-${nonce()}`);
    expect(first).toMatchObject({ is_snapshotuser: 1, scope: "snsapi_base", openid: expect.stringMatching(/^osim_snapshot_[0-9a-f]{12}$/) });
    expect(second.openid).not.toBe(first.openid);
    expect(first).not.toHaveProperty("unionid");
    expect((await userInfo(first.access_token, first.openid)).errcode).toBe(48001);
  });

  it("checks appid, secret, grant_type and code in that order, then the code", async () => {
    expect(await webToken(`oab-a-${nonce()}`, { appid: "wx_not_ours", secret: "x" })).toEqual(wechatError(40013, "invalid appid"));
    expect(await webToken(`oab-a-${nonce()}`, { secret: SECRET, grant_type: "x" })).toEqual(wechatError(40125, "invalid appsecret"));
    expect((await webToken(`oab-a-${nonce()}`, { grant_type: "client_credential" })).errcode).toBe(40002);
    expect(await webToken("")).toEqual(wechatError(41008, "missing code"));
    expect(await webToken(`invalid-${nonce()}`)).toEqual(wechatError(40029, "invalid code"));
    expect(await webToken(`u-alice-${nonce()}`)).toEqual(wechatError(40029, "invalid code"));
    expect((await webToken(`ratelimit-${nonce()}`)).errcode).toBe(45011);
    expect((await webToken(`busy-${nonce()}`)).errcode).toBe(-1);
  });

  it("fails in transit like the other APIs: plain failures keep the code, consumed_* use it up", async () => {
    const query = (code) => new URLSearchParams({ appid: OA.appId, secret: OA.secret, code, grant_type: "authorization_code" });
    const garbage = `garbage-${nonce()}`;
    for (let i = 0; i < 2; i++) expect(await (await fetch(`${sim.url}/sns/oauth2/access_token?${query(garbage)}`)).text()).toBe("<html>not json");
    expect((await fetch(`${sim.url}/sns/oauth2/access_token?${query(`http500-${nonce()}`)}`)).status).toBe(500);
    await expect(fetch(`${sim.url}/sns/oauth2/access_token?${query(`reset-${nonce()}`)}`)).rejects.toMatchObject(connectionReset);
    await expect(fetch(`${sim.url}/sns/oauth2/access_token?${query(`hang-${nonce()}`)}`, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject(timedOut);
    const consumed = `consumed_truncated-${nonce()}`;
    expect(await (await fetch(`${sim.url}/sns/oauth2/access_token?${query(consumed)}`)).text()).toBe('{"access_token":"');
    expect(await webToken(consumed)).toEqual(wechatError(40163, "code been used"));
  });

  it("answers userinfo's errcodes: missing, unknown, expired token; missing or another openid", async () => {
    const answer = await webToken(`oau-gus-${nonce()}`);
    expect((await getJson("/sns/userinfo", { openid: answer.openid })).errcode).toBe(41001);
    expect((await userInfo("never-issued", answer.openid)).errcode).toBe(40001);
    expect((await getJson("/sns/userinfo", { access_token: answer.access_token })).errcode).toBe(41009);
    expect(await userInfo(answer.access_token, "osim_someone_else")).toEqual(wechatError(40003, "invalid openid"));
    await control("sns-token/expire");
    expect(await userInfo(answer.access_token, answer.openid)).toEqual(wechatError(42001, "access_token expired"));
  });

  it("keeps the user's tokens and the app's tokens apart: each is 40001 where the other belongs", async () => {
    const web = await webToken(`oau-hal-${nonce()}`);
    const { access_token } = await stableToken({ appid: OA.appId, secret: OA.secret });
    expect((await userInfo(access_token, web.openid)).errcode).toBe(40001);
    expect((await (await phone(web.access_token, `p-1-${nonce()}`)).json()).errcode).toBe(40001);
  });

  it("fails userinfo as a userinfo_<failure>- code says", async () => {
    const busy = await webToken(`userinfo_busy-ida-${nonce()}`);
    expect(busy).not.toHaveProperty("unionid");
    expect(await userInfo(busy.access_token, busy.openid)).toEqual(wechatError(-1, "system error"));
    const broken = await webToken(`userinfo_http500-ida-${nonce()}`);
    const res = await fetch(`${sim.url}/sns/userinfo?${new URLSearchParams({ access_token: broken.access_token, openid: broken.openid })}`);
    expect(res.status).toBe(500);
  });
});

describe("the authorize pages", () => {
  const authorize = (params, path = "/connect/oauth2/authorize") =>
    fetch(`${sim.url}${path}?${new URLSearchParams({ appid: OA.appId, redirect_uri: "https://h5.example.com/login?from=menu", response_type: "code", state: "s1", ...params })}`, {
      redirect: "manual",
    });
  const codeOf = (res) => new URL(res.headers.get("location")).searchParams.get("code");

  it("sends the browser back with a code for the signed-in user and the state", async () => {
    await control("authorize/user", { name: "unionjo" });
    const res = await authorize({ scope: "snsapi_base" });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location"));
    expect(`${back.origin}${back.pathname}`).toBe("https://h5.example.com/login");
    expect(back.searchParams.get("from")).toBe("menu");
    expect(back.searchParams.get("state")).toBe("s1");
    expect(back.searchParams.get("code")).toMatch(/^oab-unionjo-[0-9a-f]{12}$/);
    expect(codeOf(await authorize({ scope: "snsapi_userinfo" }))).toMatch(/^oau-unionjo-/);
    expect(codeOf(await authorize({ scope: "snsapi_login" }, "/connect/qrconnect"))).toMatch(/^web-unionjo-/);
    // And the code works at sns/oauth2/access_token.
    const answer = await getJson("/sns/oauth2/access_token", { appid: OA.appId, secret: OA.secret, code: back.searchParams.get("code"), grant_type: "authorization_code" });
    expect(answer.openid).toBe(`osim_${OA.appId}_unionjo`);
  });

  it("gives a snapshot page's code when told to", async () => {
    await control("authorize/user", { name: "kim", snapshot: true });
    expect(codeOf(await authorize({ scope: "snsapi_userinfo" }))).toMatch(/^snapshot-kim-/);
  });

  it("refuses a bad request, or no user, with an HTML page", async () => {
    await control("authorize/user", { name: "lee" });
    for (const params of [{ appid: "wx_not_ours", scope: "snsapi_base" }, { redirect_uri: "", scope: "snsapi_base" }, { response_type: "token", scope: "snsapi_base" }, { scope: "snsapi_login" }]) {
      const res = await authorize(params);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
    expect((await authorize({ scope: "snsapi_base" }, "/connect/qrconnect")).status).toBe(400);
    await control("authorize/user", { name: null });
    expect((await authorize({ scope: "snsapi_base" })).status).toBe(400);
    expect((await postJson("/__sim/authorize/user", { name: "no spaces" })).status).toBe(400);
  });
});

describe("latency, calls, stats and reset", () => {
  it("parses a latency or a latency range", () => {
    expect(parseLatency("0")).toBe(0);
    expect(parseLatency("120")).toBe(120);
    expect(parseLatency("50-150")).toEqual([50, 150]);
    expect(() => parseLatency("150-50")).toThrow(/low to high/);
    expect(() => parseLatency("-5")).toThrow(/<min>-<max>/);
    expect(() => parseLatency("fast")).toThrow(/<min>-<max>/);
  });

  it("delays each answer by a random time within a latency range", async () => {
    await control("latency", { ms: [60, 90] });
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      await loginJson(`u-dan-${nonce()}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    }
    expect((await postJson("/__sim/latency", { ms: [90, 60] })).status).toBe(400);
    await control("reset");
  });

  it("delays WeChat answers but not the control API", async () => {
    await control("latency", { ms: 120 });
    let started = Date.now();
    await loginJson(`u-dan-${nonce()}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    started = Date.now();
    await fetch(`${sim.url}/__sim/health`);
    expect(Date.now() - started).toBeLessThan(100);
    await control("reset");
  });

  it("logs calls and counts them; reset clears used codes, calls and stats", async () => {
    await control("reset");
    const code = `u-erin-${nonce()}`;
    await loginJson(code);
    await stableToken();

    const { calls } = await (await fetch(`${sim.url}/__sim/calls`)).json();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ path: "/sns/jscode2session", method: "GET", query: { js_code: code }, body: null });
    expect(calls[1]).toMatchObject({ path: "/cgi-bin/stable_token", method: "POST", body: { appid: APP_ID } });
    expect(typeof calls[0].at).toBe("number");
    expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toEqual({ jscode2session: 1, stable_token: 1, stable_token_forced: 0, getuserphonenumber: 0, msg_sec_check: 0, media_check_async: 0, sns_oauth2_access_token: 0, sns_userinfo: 0, authorize: 0, getuserriskrank: 0 });

    expect((await loginJson(code)).errcode).toBe(40163);
    await control("reset");
    expect((await loginJson(code)).openid).toBe("osim_erin");
    expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toEqual({ jscode2session: 1, stable_token: 0, stable_token_forced: 0, getuserphonenumber: 0, msg_sec_check: 0, media_check_async: 0, sns_oauth2_access_token: 0, sns_userinfo: 0, authorize: 0, getuserriskrank: 0 });
  });

  it("answers 404 JSON for unknown paths", async () => {
    const res = await fetch(`${sim.url}/cgi-bin/unknown`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(wechatError(-1, "not found"));
  });
});

describe("access_token rotation", () => {
  let rotating;
  beforeAll(async () => {
    // A 3 s lifetime whose last second is the handover, as WeChat's last 5 minutes of 2 hours.
    rotating = await startWechatSimulator({ appId: APP_ID, secret: SECRET, accessTokenTtlSeconds: 3, accessTokenRotationSeconds: 1 });
  });
  afterAll(async () => {
    await rotating.close();
  });
  const token = async () =>
    (await fetch(`${rotating.url}/cgi-bin/stable_token`, { method: "POST", body: JSON.stringify({ grant_type: "client_credential", appid: APP_ID, secret: SECRET }) })).json();
  const phoneWith = async (accessToken) =>
    (await fetch(`${rotating.url}/wxa/business/getuserphonenumber?access_token=${accessToken}`, { method: "POST", body: JSON.stringify({ code: `p-1-${nonce()}` }) })).json();

  it("hands out the next token in the old one's last minutes, and both work until the old one expires", async () => {
    const started = Date.now();
    const sleepUntil = (ms) => new Promise((resolve) => setTimeout(resolve, ms - (Date.now() - started)));
    const first = await token();
    await sleepUntil(1000);
    expect((await token()).access_token).toBe(first.access_token);
    await sleepUntil(2300);
    const next = await token();
    expect(next.access_token).not.toBe(first.access_token);
    expect(next.expires_in).toBe(3);
    expect((await phoneWith(first.access_token)).errcode).toBe(0);
    expect((await phoneWith(next.access_token)).errcode).toBe(0);
    await sleepUntil(3200);
    expect((await phoneWith(first.access_token)).errcode).toBe(42001);
    expect((await phoneWith(next.access_token)).errcode).toBe(0);
  });
});

describe("access_token TTL", () => {
  let shortLived;
  beforeAll(async () => {
    shortLived = await startWechatSimulator({ appId: APP_ID, secret: SECRET, accessTokenTtlSeconds: 0.3 });
  });
  afterAll(async () => {
    await shortLived.close();
  });

  it("answers 42001 once the token outlives its TTL", async () => {
    const token = await (await fetch(`${shortLived.url}/cgi-bin/stable_token`, {
      method: "POST",
      body: JSON.stringify({ grant_type: "client_credential", appid: APP_ID, secret: SECRET }),
    })).json();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const res = await fetch(`${shortLived.url}/wxa/business/getuserphonenumber?access_token=${token.access_token}`, {
      method: "POST",
      body: JSON.stringify({ code: `p-1-${nonce()}` }),
    });
    expect((await res.json()).errcode).toBe(42001);
  });
});

// DevTools' wx.login gives WeChat's own codes: 32 characters of [A-Za-z0-9], a new one each call.
const devtoolsCode = () => randomBytes(32).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 32);

describe("DevTools mode", () => {
  let devtools;
  let named;
  const atSimulator = (simulator, jsCode) => {
    const query = new URLSearchParams({ appid: APP_ID, secret: SECRET, js_code: jsCode, grant_type: "authorization_code" });
    return fetch(`${simulator.url}/sns/jscode2session?${query}`).then(async (res) => JSON.parse(await res.text()));
  };

  beforeAll(async () => {
    devtools = await startWechatSimulator({ appId: APP_ID, secret: SECRET, devtools: true });
    named = await startWechatSimulator({ appId: APP_ID, secret: SECRET, devtools: true, devtoolsDevice: "alice-macbook" });
  });

  afterAll(async () => {
    await devtools.close();
    await named.close();
  });

  it("is off unless asked for: a DevTools code is then an invalid one", async () => {
    expect(sim.devtoolsOpenid).toBeNull();
    expect(await loginJson(devtoolsCode())).toEqual(wechatError(40029, "invalid code"));
  });

  it("logs every code outside the scenario syntax in as one stable development user", async () => {
    const sessions = [await atSimulator(devtools, devtoolsCode()), await atSimulator(devtools, devtoolsCode()), await atSimulator(devtools, "0716AVll20uHk94SLDml27etM946AVlq")];
    expect(sessions.map((session) => session.openid)).toEqual(Array(3).fill(devtoolsOpenid("devtools")));
    expect(devtools.devtoolsOpenid).toBe(devtoolsOpenid("devtools"));
    expect(sessions[0].session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(sessions[0]).not.toHaveProperty("unionid");
  });

  it("gives each device name its own user, the same across restarts", async () => {
    expect((await atSimulator(named, devtoolsCode())).openid).toBe(devtoolsOpenid("alice-macbook"));
    expect(devtoolsOpenid("alice-macbook")).not.toBe(devtoolsOpenid("devtools"));
    expect(devtoolsOpenid("alice-macbook")).toMatch(/^odev_[A-Za-z0-9_-]{23}$/);
    const again = await startWechatSimulator({ appId: APP_ID, secret: SECRET, devtools: true, devtoolsDevice: "alice-macbook" });
    try {
      expect((await atSimulator(again, devtoolsCode())).openid).toBe(devtoolsOpenid("alice-macbook"));
    } finally {
      await again.close();
    }
  });

  it("keeps codes single-use and the scenario codes working", async () => {
    const code = devtoolsCode();
    expect((await atSimulator(devtools, code)).openid).toBe(devtoolsOpenid());
    expect(await atSimulator(devtools, code)).toEqual(wechatError(40163, "code been used"));
    expect((await atSimulator(devtools, `u-alice-${nonce()}`)).openid).toBe("osim_alice");
    expect((await atSimulator(devtools, `invalid-${nonce()}`)).errcode).toBe(40029);
    expect((await atSimulator(devtools, `busy-${nonce()}`)).errcode).toBe(-1);
  });

  it("answers DevTools' phone codes with the development phone number, once each", async () => {
    const post = (path, body) => fetch(`${devtools.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((res) => res.json());
    const { access_token } = await post("/cgi-bin/stable_token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET });
    const code = devtoolsCode();
    const answer = await post(`/wxa/business/getuserphonenumber?access_token=${access_token}`, { code });
    expect(answer.phone_info).toMatchObject({ phoneNumber: DEVTOOLS_PHONE_NUMBER, purePhoneNumber: DEVTOOLS_PHONE_NUMBER, countryCode: "86" });
    expect((await post(`/wxa/business/getuserphonenumber?access_token=${access_token}`, { code })).errcode).toBe(40029);
    expect((await post(`/wxa/business/getuserphonenumber?access_token=${access_token}`, { code: `p-13912345678-${nonce()}` })).phone_info.phoneNumber).toBe("13912345678");
  });

  it.each([
    ["1", false, true],
    ["true", false, true],
    [" ON ", false, true],
    ["0", true, false],
    ["off", true, false],
    ["", true, true],
    [undefined, false, false],
    ["maybe", false, false],
  ])("reads WECHAT_SIM_DEVTOOLS=%j (default %s) as %s", (value, fallback, expected) => {
    expect(devtoolsModeFromEnv(value, fallback)).toBe(expected);
  });

  it("refuses an empty device name", async () => {
    await expect(startWechatSimulator({ devtools: true, devtoolsDevice: " " })).rejects.toThrow("devtoolsDevice");
  });
});
