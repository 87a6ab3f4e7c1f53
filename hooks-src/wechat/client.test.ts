import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { storeAccessTokenCache } from "./access-token-cache";
import { createWechatClient } from "./client";
import { WechatErrcodeError, WechatHttpStatusError, WechatNetworkError, WechatUnreadableResponseError } from "./errors";
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

function clientWith(wechat: ReturnType<typeof fakeWechat>, memory = new MemoryStore(), now = () => 1_000_000) {
  const client = createWechatClient({
    appId: APP_ID,
    secret: SECRET,
    baseUrl: "https://wechat.test/",
    timeoutSeconds: 3,
    send: wechat.send,
    accessTokens: storeAccessTokenCache(asStore(memory), now),
  });
  return { client, memory };
}

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

  it("keeps the errcode WeChat gave", () => {
    try {
      clientWith(fakeWechat(json({ errcode: 40163, errmsg: "code been used" }))).client.codeToSession("c");
    } catch (error) {
      expect(error).toMatchObject({ errcode: 40163 });
      return;
    }
    throw new Error("expected an error");
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

  it("refetches the token five minutes before it expires", () => {
    let now = 0;
    const wechat = fakeWechat(tokenAnswer("T1", 7200), phoneAnswer(), tokenAnswer("T2"), phoneAnswer());
    const { client } = clientWith(wechat, new MemoryStore(), () => now);
    client.getPhoneNumber("p1");
    now = (7200 - 300) * 1000;
    client.getPhoneNumber("p2");
    expect(wechat.requests[3].url).toContain("access_token=T2");
  });

  it.each([40001, 40014, 42001])("retries once with a new token after errcode %i", (errcode) => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode, errmsg: "stale" }), tokenAnswer("T2"), phoneAnswer());
    const { client, memory } = clientWith(wechat);
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(wechat.requests[3].url).toContain("access_token=T2");
    expect(memory.get("bai.wechat.accessToken")).toMatchObject({ token: "T2" });
  });

  it("forces a refresh only when WeChat hands back the rejected token", () => {
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 40001 }), tokenAnswer("T1"), tokenAnswer("T2"), phoneAnswer());
    clientWith(wechat).client.getPhoneNumber("p1");
    expect(JSON.parse(wechat.requests[2].body!).force_refresh).toBe(false);
    expect(JSON.parse(wechat.requests[3].body!).force_refresh).toBe(true);
    expect(wechat.requests[4].url).toContain("access_token=T2");
  });

  it("uses a token another VM already refreshed instead of asking WeChat", () => {
    const memory = new MemoryStore();
    const wechat = fakeWechat(tokenAnswer("T1"), json({ errcode: 42001 }), phoneAnswer());
    let calls = 0;
    const client = createWechatClient({
      appId: APP_ID,
      secret: SECRET,
      baseUrl: "https://wechat.test",
      timeoutSeconds: 3,
      accessTokens: storeAccessTokenCache(asStore(memory), () => 1_000_000),
      send: (request) => {
        // Another VM stores T2 while our first phone call is in flight.
        if (++calls === 2) memory.set("bai.wechat.accessToken", { token: "T2", refreshAtMs: Infinity });
        return wechat.send(request);
      },
    });
    expect(client.getPhoneNumber("p1")).toBe("13800138000");
    expect(wechat.requests.map((request) => request.url.split("?")[1] ?? "stable_token")).toEqual(["stable_token", "access_token=T1", "access_token=T2"]);
  });

  it("retries only once", () => {
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
});
