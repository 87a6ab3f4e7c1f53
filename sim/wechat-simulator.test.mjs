import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { parseLatency, startWechatSimulator } from "./wechat-simulator.mjs";

const APP_ID = "wx_test_appid";
const SECRET = "test_secret";

let sim;
let nonceCounter = 0;
const nonce = () => `${Date.now()}${++nonceCounter}`;

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: APP_ID, secret: SECRET });
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
    expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toEqual({ jscode2session: 1, stable_token: 1, stable_token_forced: 0, getuserphonenumber: 0, msg_sec_check: 0, media_check_async: 0 });

    expect((await loginJson(code)).errcode).toBe(40163);
    await control("reset");
    expect((await loginJson(code)).openid).toBe("osim_erin");
    expect(await (await fetch(`${sim.url}/__sim/stats`)).json()).toEqual({ jscode2session: 1, stable_token: 0, stable_token_forced: 0, getuserphonenumber: 0, msg_sec_check: 0, media_check_async: 0 });
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
