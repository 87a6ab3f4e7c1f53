import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { storeAccessTokenCache } from "./access-token-cache";
import { createWechatClient, type WechatClientOptions } from "./client";
import { WechatAccessTokenUnavailableError, WechatErrcodeError, WechatHttpStatusError, WechatNetworkError, WechatUnreadableResponseError } from "./errors";
import { storeForcedRefreshGate } from "./forced-refresh";
import type { WechatHttpRequest, WechatHttpResponse } from "./transport";

const APP_ID = "wx_test";
const SECRET = "s3cr3t";

// A scripted WeChat: each answer is taken in order; every request is recorded.
function fakeWechat(...answers: Array<WechatHttpResponse | Error>) {
  const requests: WechatHttpRequest[] = [];
  const send = (request: WechatHttpRequest) => {
    requests.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request to ${request.url}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { send, requests };
}

const json = (body: unknown, statusCode = 200): WechatHttpResponse => ({ statusCode, body: JSON.stringify(body) });
const phoneAnswer = (phone = "13800138000", appid = APP_ID) =>
  json({ errcode: 0, errmsg: "ok", phone_info: { phoneNumber: phone, purePhoneNumber: phone, countryCode: "86", watermark: { timestamp: 1, appid } } });
const tokenAnswer = (token: string, expires_in = 7200) => json({ access_token: token, expires_in });

// Log lines the client wrote for ops, as [level, message].
function opsLog() {
  const lines: Array<["warn" | "error", string]> = [];
  return { lines, warn: (message: string) => lines.push(["warn", message]), error: (message: string) => lines.push(["error", message]) };
}

function clientWith(
  wechat: ReturnType<typeof fakeWechat>,
  memory = new MemoryStore(),
  now = () => 1_000_000,
  { dailyBudget = 15, ...overrides }: Partial<WechatClientOptions> & { dailyBudget?: number } = {},
) {
  const log = opsLog();
  const client = createWechatClient({
    appId: APP_ID,
    secret: SECRET,
    baseUrl: "https://wechat.test/",
    timeoutSeconds: 3,
    send: wechat.send,
    accessTokens: storeAccessTokenCache(asStore(memory), now),
    forcedRefreshes: storeForcedRefreshGate(dailyBudget, 4_000, asStore(memory), now),
    sleep: () => {
      throw new Error("unexpected wait");
    },
    now,
    log,
    ...overrides,
  });
  return { client, memory, log };
}

const urlsOf = (wechat: ReturnType<typeof fakeWechat>) =>
  wechat.requests.map((request) =>
    request.url.endsWith("stable_token") ? `stable_token${JSON.parse(request.body!).force_refresh ? " (forced)" : ""}` : request.url.split("?")[1],
  );

describe("codeToSession", () => {
  it("calls jscode2session with WeChat's parameters and the timeout", () => {
    const wechat = fakeWechat({ statusCode: 200, body: '{"openid":"o1","session_key":"sk=="}' });
    expect(clientWith(wechat).client.codeToSession("code/1")).toEqual({ openid: "o1", unionid: "" });
    expect(wechat.requests).toEqual([
      {
        method: "GET",
        url: "https://wechat.test/sns/jscode2session?appid=wx_test&secret=s3cr3t&js_code=code%2F1&grant_type=authorization_code",
        timeoutSeconds: 3,
      },
    ]);
  });

  it("returns the unionid and never the session_key", () => {
    const wechat = fakeWechat(json({ openid: "o1", unionid: "u1", session_key: "sk==" }));
    const session = clientWith(wechat).client.codeToSession("c");
    expect(session).toEqual({ openid: "o1", unionid: "u1" });
    expect(JSON.stringify(session)).not.toContain("sk==");
  });

  it.each([
    ["an errcode", json({ errcode: 40029, errmsg: "invalid code" }), WechatErrcodeError],
    ["busy", json({ errcode: -1, errmsg: "system error" }), WechatErrcodeError],
    ["an HTTP error", { statusCode: 502, body: "<html>" }, WechatHttpStatusError],
    ["garbage", { statusCode: 200, body: "<html>not json" }, WechatUnreadableResponseError],
    ["a JSON array", json([1, 2]), WechatUnreadableResponseError],
    ["no openid", json({ session_key: "sk" }), WechatUnreadableResponseError],
    ["a network failure", new WechatNetworkError(false), WechatNetworkError],
  ])("fails with %s", (_, answer, errorType) => {
    expect(() => clientWith(fakeWechat(answer)).client.codeToSession("c")).toThrow(errorType);
  });

  it("keeps the errcode WeChat gave, and which API gave it", () => {
    expect(() => clientWith(fakeWechat(json({ errcode: 40163, errmsg: "code been used rid: 1-2-3" }))).client.codeToSession("c")).toThrow(
      expect.objectContaining({ errcode: 40163, errmsg: "code been used rid: 1-2-3", api: "jscode2session" }),
    );
  });
});

describe("webCodeToAccessToken (网页授权)", () => {
  const webAnswer = (fields: Record<string, unknown> = {}) =>
    json({ access_token: "SNS_AT", expires_in: 7200, refresh_token: "SNS_RT", openid: "o_oa_1", scope: "snsapi_userinfo", ...fields });

  it("calls sns/oauth2/access_token with WeChat's parameters and reads who signed in", () => {
    const wechat = fakeWechat(webAnswer({ unionid: "u1" }));
    expect(clientWith(wechat).client.webCodeToAccessToken("code/1")).toEqual({
      openid: "o_oa_1",
      unionid: "u1",
      scopes: ["snsapi_userinfo"],
      snapshotUser: false,
      snsAccessToken: "SNS_AT",
    });
    expect(wechat.requests).toEqual([
      { method: "GET", url: "https://wechat.test/sns/oauth2/access_token?appid=wx_test&secret=s3cr3t&code=code%2F1&grant_type=authorization_code", timeoutSeconds: 3 },
    ]);
  });

  it("drops the refresh_token", () => {
    expect(JSON.stringify(clientWith(fakeWechat(webAnswer())).client.webCodeToAccessToken("c"))).not.toContain("SNS_RT");
  });

  it("reads several scopes, no unionid, and a snapshot page's virtual account", () => {
    const client = clientWith(fakeWechat(webAnswer({ scope: "snsapi_base,snsapi_userinfo" }), webAnswer({ scope: "snsapi_base", is_snapshotuser: 1 }))).client;
    expect(client.webCodeToAccessToken("a")).toMatchObject({ unionid: "", scopes: ["snsapi_base", "snsapi_userinfo"], snapshotUser: false });
    expect(client.webCodeToAccessToken("b")).toMatchObject({ scopes: ["snsapi_base"], snapshotUser: true });
  });

  it.each([
    ["an errcode", json({ errcode: 40029, errmsg: "invalid code" }), WechatErrcodeError],
    ["an HTTP error", { statusCode: 500, body: "<html>" }, WechatHttpStatusError],
    ["garbage", { statusCode: 200, body: "<html>not json" }, WechatUnreadableResponseError],
    ["no openid", webAnswer({ openid: undefined }), WechatUnreadableResponseError],
    ["no access_token", webAnswer({ access_token: "" }), WechatUnreadableResponseError],
    ["a network failure", new WechatNetworkError(true), WechatNetworkError],
  ])("fails with %s", (_, answer, errorType) => {
    expect(() => clientWith(fakeWechat(answer)).client.webCodeToAccessToken("c")).toThrow(errorType);
  });

  it("keeps the errcode and which API gave it", () => {
    expect(() => clientWith(fakeWechat(json({ errcode: 40163, errmsg: "code been used" }))).client.webCodeToAccessToken("c")).toThrow(
      expect.objectContaining({ errcode: 40163, api: "sns_oauth2_access_token" }),
    );
  });
});

describe("webUserInfo (网页授权)", () => {
  const info = (fields: Record<string, unknown> = {}) =>
    json({ openid: "o_oa_1", nickname: "n", sex: 0, province: "", city: "", country: "", headimgurl: "", privilege: [], ...fields });

  it("calls sns/userinfo with the user's token and keeps only openid and unionid", () => {
    const wechat = fakeWechat(info({ unionid: "u1" }));
    expect(clientWith(wechat).client.webUserInfo("SNS/AT", "o_oa_1")).toEqual({ openid: "o_oa_1", unionid: "u1" });
    expect(wechat.requests).toEqual([{ method: "GET", url: "https://wechat.test/sns/userinfo?access_token=SNS%2FAT&openid=o_oa_1&lang=zh_CN", timeoutSeconds: 3 }]);
  });

  it("answers no unionid when WeChat gives none", () => {
    expect(clientWith(fakeWechat(info())).client.webUserInfo("T", "o_oa_1").unionid).toBe("");
  });

  it("never takes the app's access token, nor refreshes one when WeChat rejects the user's", () => {
    const { client, memory } = clientWith(fakeWechat(json({ errcode: 42001, errmsg: "access_token expired" })));
    expect(() => client.webUserInfo("T", "o_oa_1")).toThrow(expect.objectContaining({ errcode: 42001, api: "sns_userinfo" }));
    expect(memory.get("bai.wechat.accessToken")).toBeUndefined();
  });

  it.each([
    ["48001 (scope does not allow it)", json({ errcode: 48001, errmsg: "api unauthorized" }), WechatErrcodeError],
    ["another openid", info({ openid: "o_other" }), WechatUnreadableResponseError],
    ["a truncated answer", { statusCode: 200, body: '{"openid":"' }, WechatUnreadableResponseError],
  ])("fails with %s", (_, answer, errorType) => {
    expect(() => clientWith(fakeWechat(answer)).client.webUserInfo("T", "o_oa_1")).toThrow(errorType);
  });
});

describe("getPhoneNumber", () => {
  it("fetches a stable token once and shares it through the store", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), phoneAnswer(), phoneAnswer("13900139000"));
    const { client, memory } = clientWith(wechat);
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(client.getPhoneNumber("p2")).toBe("13900139000");
    expect(wechat.requests.map((request) => request.url)).toEqual([
      "https://wechat.test/cgi-bin/stable_token",
      "https://wechat.test/wxa/business/getuserphonenumber?access_token=T1",
      "https://wechat.test/wxa/business/getuserphonenumber?access_token=T1",
    ]);
    expect(JSON.parse(wechat.requests[0].body!)).toEqual({ grant_type: "client_credential", appid: APP_ID, secret: SECRET, force_refresh: false });
    expect(JSON.parse(wechat.requests[1].body!)).toEqual({ code: "p1" });
    expect(memory.get("bai.wechat.accessToken")).toMatchObject({ token: "T1" });
  });

  it("keeps the token until it is 4.5 minutes from expiry, inside WeChat's 5-minute handover, then refetches", () => {
    let now = 0;
    const wechat = fakeWechat(tokenAnswer("T1", 7200), phoneAnswer(), phoneAnswer(), tokenAnswer("T2"), phoneAnswer());
    const { client } = clientWith(wechat, new MemoryStore(), () => now);
    client.getPhoneNumber("p1");
    now = 6930 * 1000 - 1;
    client.getPhoneNumber("p2");
    now = 6930 * 1000;
    client.getPhoneNumber("p3");
    expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "access_token=T1", "stable_token", "access_token=T2"]);
  });

  it("uses the last 1/24 of a lifetime of 5 minutes or less as the window (short-lived test tokens)", () => {
    let now = 0;
    const wechat = fakeWechat(tokenAnswer("T1", 240), phoneAnswer(), phoneAnswer(), tokenAnswer("T2", 240), phoneAnswer());
    const { client } = clientWith(wechat, new MemoryStore(), () => now);
    client.getPhoneNumber("p1");
    now = 231 * 1000 - 1; // 240 s less 0.9 of a 10 s window
    client.getPhoneNumber("p2");
    now = 231 * 1000;
    client.getPhoneNumber("p3");
    expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "access_token=T1", "stable_token", "access_token=T2"]);
  });

  it("fetches once per rotation when WeChat hands out the next token in the last 5 minutes", () => {
    let now = 0;
    // WeChat's normal mode: the current token, or a new one of 7200 s once it has 300 s or less.
    let current = { name: "", expiresAtMs: 0 };
    const requests: WechatHttpRequest[] = [];
    const send = (request: WechatHttpRequest): WechatHttpResponse => {
      requests.push(request);
      if (!request.url.endsWith("stable_token")) return phoneAnswer();
      if (current.expiresAtMs - now <= 300_000) current = { name: `T${now}`, expiresAtMs: now + 7200_000 };
      return tokenAnswer(current.name, Math.round((current.expiresAtMs - now) / 1000));
    };
    const { client } = clientWith(fakeWechat(), new MemoryStore(), () => now, { send });
    for (now = 0; now < 3 * 7200_000; now += 10_000) client.getPhoneNumber("p");
    expect(requests.filter((request) => request.url.endsWith("stable_token")).map((request) => request.url)).toHaveLength(4); // at 0, 6930, 13860 and 20790 s
  });

  it.each([40001, 40014, 42001])("retries once with a new token after errcode %i", (errcode) => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode, errmsg: "stale" }), tokenAnswer("T2"), phoneAnswer());
    const { client, memory } = clientWith(wechat);
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(wechat.requests[3].url).toContain("access_token=T2");
    expect(memory.get("bai.wechat.accessToken")).toMatchObject({ token: "T2" });
  });

  it.each([40001, 42001, 40014])("tries the same token once more when WeChat hands it back after %i, without forcing", (errcode) => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode }), tokenAnswer("T1"), phoneAnswer());
    const { client, log } = clientWith(wechat);
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "stable_token", "access_token=T1"]);
    expect(log.lines).toEqual([]);
  });

  it.each([40001, 42001])("forces a new token when WeChat rejects the token it hands back twice with %i", (errcode) => {
    const memory = new MemoryStore();
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode }), tokenAnswer("T1"), json({ errcode }), tokenAnswer("T2"), phoneAnswer());
    const { client, log } = clientWith(wechat, memory);
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "stable_token", "access_token=T1", "stable_token (forced)", "access_token=T2"]);
    expect(memory.get("bai.wechat.accessToken")).toMatchObject({ token: "T2", forcedAway: "T1" });
    expect(log.lines).toEqual([["warn", expect.stringContaining("forced a new one (1 of 15 forced refreshes allowed today)")]]);
    expect(JSON.stringify(log.lines)).not.toMatch(/T1|T2/);
  });

  it("never forces a new token for 40014, even when WeChat calls the token it hands back illegal twice", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 40014 }), tokenAnswer("T1"), json({ errcode: 40014, errmsg: "invalid access_token rid: 1-2-3" }));
    expect(() => clientWith(wechat).client.getPhoneNumber("p1")).toThrow(expect.objectContaining({ errcode: 40014, message: expect.stringMatching(/illegal; not forcing/) }));
    expect(wechat.requests).toHaveLength(4);
  });

  it("never caches the forced-away token again, though a late stable_token answer brings it back", () => {
    const memory = new MemoryStore();
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 40001 }), tokenAnswer("T1"), json({ errcode: 40001 }), tokenAnswer("T2"), phoneAnswer());
    const { client } = clientWith(wechat, memory);
    client.getPhoneNumber("p1");
    storeAccessTokenCache(asStore(memory), () => 1_000_000).set("T1", 7000); // another VM's stale answer
    expect(memory.get("bai.wechat.accessToken")).toMatchObject({ token: "T2" });
  });

  describe("forced refreshes across VMs", () => {
    // WeChat rejecting T1 twice while handing it back: the path to a forced refresh.
    const rejectingT1 = (...rest: Array<WechatHttpResponse | Error>) =>
      fakeWechat(tokenAnswer("T1"), json({ errcode: 40001 }), tokenAnswer("T1"), json({ errcode: 40001 }), ...rest);

    it("waits for another VM's forced refresh and uses its token", () => {
      const memory = new MemoryStore();
      let now = 1_000_000;
      const otherVm = storeForcedRefreshGate(15, 4_000, asStore(memory), () => now);
      const wechat = rejectingT1(phoneAnswer());
      let waits = 0;
      const { client } = clientWith(wechat, memory, () => now, {
        send: (request) => {
          if (wechat.requests.length === 3) expect(otherVm.claim()).toMatchObject({ kind: "go" }); // it claims before our second try fails
          return wechat.send(request);
        },
        sleep: (ms) => {
          now += ms;
          if (++waits === 3) storeAccessTokenCache(asStore(memory), () => now).replaceForcedAway("T1", "T2", 7200);
        },
      });
      expect(client.getPhoneNumber("p1")).toBe("13800138000");
      expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "stable_token", "access_token=T1", "access_token=T2"]);
    });

    it("answers 503 'refreshing' when the other VM's forced refresh brings no new token", () => {
      const memory = new MemoryStore();
      let now = 1_000_000;
      const otherVm = storeForcedRefreshGate(15, 4_000, asStore(memory), () => now);
      const wechat = rejectingT1();
      const { client } = clientWith(wechat, memory, () => now, {
        send: (request) => {
          if (wechat.requests.length === 3) otherVm.claim();
          return wechat.send(request);
        },
        sleep: (ms) => {
          now += ms;
          if (now > 1_000_500) otherVm.finish(); // it failed
        },
      });
      expect(() => client.getPhoneNumber("p1")).toThrow(new WechatAccessTokenUnavailableError("refreshing"));
    });

    it("never forces twice within 30 s: the second answers 503 'refreshing'", () => {
      const memory = new MemoryStore();
      let now = 1_000_000;
      clientWith(rejectingT1(tokenAnswer("T2"), phoneAnswer()), memory, () => now).client.getPhoneNumber("p1");
      now += 29_999;
      memory.remove("bai.wechat.accessToken");
      const second = fakeWechat(tokenAnswer("T2"), json({ errcode: 40001 }), tokenAnswer("T2"), json({ errcode: 40001 }));
      expect(() => clientWith(second, memory, () => now).client.getPhoneNumber("p2")).toThrow(new WechatAccessTokenUnavailableError("refreshing"));
      expect(urlsOf(second)).not.toContain("stable_token (forced)");
      now += 1;
      memory.remove("bai.wechat.accessToken");
      const third = fakeWechat(tokenAnswer("T2"), json({ errcode: 40001 }), tokenAnswer("T2"), json({ errcode: 40001 }), tokenAnswer("T3"), phoneAnswer());
      expect(clientWith(third, memory, () => now).client.getPhoneNumber("p3")).toBe("13800138000");
    });

    it("logs an error with each forced refresh once 5 or fewer are left, then answers 503 'budget spent' and says so once", () => {
      const memory = new MemoryStore();
      let now = 1_000_000;
      const log = opsLog();
      for (let i = 1; i <= 8; i++) {
        memory.remove("bai.wechat.accessToken");
        const wechat = fakeWechat(tokenAnswer(`T${i}`), json({ errcode: 40001 }), tokenAnswer(`T${i}`), json({ errcode: 40001 }), tokenAnswer(`F${i}`), phoneAnswer());
        const { client } = clientWith(wechat, memory, () => now, { dailyBudget: 7, log });
        if (i <= 7) client.getPhoneNumber("p");
        else expect(() => client.getPhoneNumber("p")).toThrow(new WechatAccessTokenUnavailableError("budget-spent"));
        now += 30_000;
      }
      memory.remove("bai.wechat.accessToken");
      const again = fakeWechat(tokenAnswer("T8"), json({ errcode: 40001 }), tokenAnswer("T8"), json({ errcode: 40001 }));
      expect(() => clientWith(again, memory, () => now, { dailyBudget: 7, log }).client.getPhoneNumber("p")).toThrow(WechatAccessTokenUnavailableError);
      expect(log.lines.map(([level]) => level)).toEqual(["warn", "error", "error", "error", "error", "error", "error", "error"]);
      expect(log.lines[1][1]).toContain("(2 of 7 forced refreshes allowed today, only 5 left");
      expect(log.lines[7][1]).toContain("today's 7 forced refreshes are spent");
    });

    it("takes WeChat's 45009 on a forced refresh as the day's budget spent", () => {
      const memory = new MemoryStore();
      let now = 1_000_000;
      const wechat = rejectingT1(json({ errcode: 45009, errmsg: "reach max api daily quota limit rid: 1-2-3" }));
      const { client, log } = clientWith(wechat, memory, () => now);
      expect(() => client.getPhoneNumber("p1")).toThrow(new WechatAccessTokenUnavailableError("budget-spent"));
      expect(log.lines).toEqual([["error", expect.stringContaining("daily cap of forced refreshes is reached (45009)")]]);
      now += 60_000;
      expect(storeForcedRefreshGate(15, 4_000, asStore(memory), () => now).claim()).toEqual({ kind: "spent", firstRefusal: false });
    });

    it("answers 503 'refreshing' when the forced call hands back the same token (refreshed elsewhere under 30 s ago)", () => {
      const memory = new MemoryStore();
      expect(() => clientWith(rejectingT1(tokenAnswer("T1")), memory).client.getPhoneNumber("p1")).toThrow(new WechatAccessTokenUnavailableError("refreshing"));
      expect(memory.get("bai.wechat.forcedRefresh")).toMatchObject({ inFlightUntilMs: 0 });
    });
  });

  it("uses a token another VM already refreshed instead of asking WeChat", () => {
    const memory = new MemoryStore();
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 42001 }), phoneAnswer());
    let calls = 0;
    const { client } = clientWith(wechat, memory, undefined, {
      send: (request) => {
        // Another VM stores T2 while our first phone call is in flight.
        if (++calls === 2) memory.set("bai.wechat.accessToken", { token: "T2", refreshAtMs: Infinity });
        return wechat.send(request);
      },
    });
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(urlsOf(wechat)).toEqual(["stable_token", "access_token=T1", "access_token=T2"]);
  });

  it("retries only once with a newer token", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 40001 }), tokenAnswer("T2"), json({ errcode: 40001 }));
    expect(() => clientWith(wechat).client.getPhoneNumber("p1")).toThrow(WechatErrcodeError);
    expect(wechat.requests).toHaveLength(4);
  });

  it("does not retry other errcodes", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 40029, errmsg: "invalid code" }));
    expect(() => clientWith(wechat).client.getPhoneNumber("p1")).toThrow(WechatErrcodeError);
    expect(wechat.requests).toHaveLength(2);
  });

  it.each([
    ["an errcode", json({ errcode: -1, errmsg: "system error" })],
    ["an HTTP error", { statusCode: 500, body: "oops" }],
    ["garbage", { statusCode: 200, body: "not json" }],
    ["no token", json({ expires_in: 7200 })],
    ["a non-positive lifetime", json({ access_token: "T", expires_in: 0 })],
  ])("never caches a stable_token answer with %s", (_, answer) => {
    const memory = new MemoryStore();
    expect(() => clientWith(fakeWechat(answer), memory).client.getPhoneNumber("p1")).toThrow();
    expect(memory.get("bai.wechat.accessToken")).toBeUndefined();
  });

  it.each([
    ["a watermark for another appid", phoneAnswer("13800138000", "wx_other")],
    ["no phone_info", json({ errcode: 0, errmsg: "ok" })],
    ["a phone number that isn't one", phoneAnswer("<script>")],
  ])("refuses an answer with %s", (_, answer) => {
    expect(() => clientWith(fakeWechat(tokenAnswer("T1"), answer)).client.getPhoneNumber("p1")).toThrow(WechatUnreadableResponseError);
  });

  it("keeps the country code of numbers outside mainland China", () => {
    const answer = json({
      errcode: 0,
      phone_info: { phoneNumber: "+14155550123", purePhoneNumber: "4155550123", countryCode: "1", watermark: { appid: APP_ID } },
    });
    expect(clientWith(fakeWechat(tokenAnswer("T1"), answer)).client.getPhoneNumber("p1")).toBe("+14155550123");
  });

  it.each([
    ["852", "+852 6123 4567", "61234567"],
    [852, "+852-6123-4567", "61234567"],
    ["1", undefined, "4155550123"],
  ])("stores a number of country code %j as +<country code><number>, whatever phoneNumber's spacing", (countryCode, phoneNumber, purePhoneNumber) => {
    const answer = json({ errcode: 0, phone_info: { phoneNumber, purePhoneNumber, countryCode, watermark: { appid: APP_ID } } });
    expect(clientWith(fakeWechat(tokenAnswer("T1"), answer)).client.getPhoneNumber("p1")).toBe(`+${countryCode}${purePhoneNumber}`);
  });

  it.each([["86"], [86]])("takes countryCode %j as mainland China", (countryCode) => {
    const answer = json({
      errcode: 0,
      phone_info: { phoneNumber: "+8613800138000", purePhoneNumber: "13800138000", countryCode, watermark: { appid: APP_ID } },
    });
    expect(clientWith(fakeWechat(tokenAnswer("T1"), answer)).client.getPhoneNumber("p1")).toBe("13800138000");
  });
});

describe("getUserRiskRank", () => {
  it("asks getuserriskrank for a registration (scene 0) with the openid and client IP, no phone number, on the shared token", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 0, errmsg: "getuserriskrank succ", risk_rank: 3, unoin_id: 123 }));
    const { client } = clientWith(wechat);
    expect(client.getUserRiskRank({ openid: "o1", clientIp: "203.0.113.9" })).toBe(3);
    expect(wechat.requests[1].url).toBe("https://wechat.test/wxa/getuserriskrank?access_token=T1");
    expect(JSON.parse(wechat.requests[1].body!)).toEqual({ appid: APP_ID, openid: "o1", scene: 0, client_ip: "203.0.113.9" });
  });

  it("refuses an answer without a rank of 0 to 4, and passes WeChat's errcodes on", () => {
    const { client } = clientWith(fakeWechat(tokenAnswer("T1"), json({ errcode: 0, risk_rank: 7 }), json({ errcode: 0 }), json({ errcode: 61010, errmsg: "openid expired" })));
    expect(() => client.getUserRiskRank({ openid: "o1", clientIp: "::1" })).toThrow(WechatUnreadableResponseError);
    expect(() => client.getUserRiskRank({ openid: "o1", clientIp: "::1" })).toThrow(WechatUnreadableResponseError);
    expect(() => client.getUserRiskRank({ openid: "o1", clientIp: "::1" })).toThrow(expect.objectContaining({ errcode: 61010, api: "getuserriskrank" }));
  });
});
