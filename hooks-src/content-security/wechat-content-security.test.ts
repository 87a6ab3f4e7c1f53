import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { storeAccessTokenCache } from "../wechat/access-token-cache";
import { createWechatClient } from "../wechat/client";
import { WechatErrcodeError, WechatUnreadableResponseError } from "../wechat/errors";
import { storeForcedRefreshGate } from "../wechat/forced-refresh";
import type { WechatHttpRequest, WechatHttpResponse } from "../wechat/transport";
import { checkText, submitImageCheck } from "./wechat-content-security";

const json = (body: unknown): WechatHttpResponse => ({ statusCode: 200, body: JSON.stringify(body) });

function clientAnswering(...answers: WechatHttpResponse[]) {
  const requests: WechatHttpRequest[] = [];
  const memory = new MemoryStore();
  const client = createWechatClient({
    appId: "wx_test",
    secret: "s3cr3t",
    baseUrl: "https://wechat.test",
    timeoutSeconds: 3,
    send: (request) => {
      requests.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error(`unexpected request to ${request.url}`);
      return answer;
    },
    accessTokens: storeAccessTokenCache(asStore(memory), () => 1_000_000),
    forcedRefreshes: storeForcedRefreshGate(15, 4_000, asStore(memory), () => 1_000_000),
    now: () => 1_000_000,
    log: { warn: () => {}, error: () => {} },
  });
  return { client, requests };
}

const token = (value: string) => json({ access_token: value, expires_in: 7200 });

describe("checkText (msgSecCheck v2)", () => {
  it.each(["pass", "review", "risky"] as const)("posts version 2, scene 1 and the openid, and reads %s", (suggest) => {
    const { client, requests } = clientAnswering(token("AT1"), json({ errcode: 0, errmsg: "ok", result: { suggest, label: 100 }, trace_id: "t" }));
    expect(checkText(client, "o1", "张三")).toBe(suggest);
    expect(requests[1]).toEqual({
      method: "POST",
      url: "https://wechat.test/wxa/msg_sec_check?access_token=AT1",
      body: JSON.stringify({ content: "张三", version: 2, scene: 1, openid: "o1" }),
      timeoutSeconds: 3,
    });
  });

  it("retries once with a new access token when WeChat calls it stale", () => {
    const { client, requests } = clientAnswering(token("AT1"), json({ errcode: 40001, errmsg: "invalid credential" }), token("AT2"), json({ errcode: 0, result: { suggest: "pass" } }));
    expect(checkText(client, "o1", "x")).toBe("pass");
    expect(requests.map((request) => request.url.replace(/^.*\.test/, ""))).toEqual([
      "/cgi-bin/stable_token",
      "/wxa/msg_sec_check?access_token=AT1",
      "/cgi-bin/stable_token",
      "/wxa/msg_sec_check?access_token=AT2",
    ]);
  });

  it("fails as the client's errors do: errcode, or an answer without a verdict", () => {
    expect(() => checkText(clientAnswering(token("AT1"), json({ errcode: -1, errmsg: "system error" })).client, "o1", "x")).toThrow(WechatErrcodeError);
    expect(() => checkText(clientAnswering(token("AT1"), json({ errcode: 0, result: {} })).client, "o1", "x")).toThrow(WechatUnreadableResponseError);
  });
});

describe("submitImageCheck (mediaCheckAsync v2)", () => {
  it("posts the image URL as media_type 2 and returns the trace_id", () => {
    const { client, requests } = clientAnswering(token("AT1"), json({ errcode: 0, errmsg: "ok", trace_id: "60ae120f-371d5872-7941a05b" }));
    expect(submitImageCheck(client, "o1", "https://mp.example.com/pb/api/files/tbl_user_avatars/a/b.png")).toBe("60ae120f-371d5872-7941a05b");
    expect(JSON.parse(requests[1].body!)).toEqual({ media_url: "https://mp.example.com/pb/api/files/tbl_user_avatars/a/b.png", media_type: 2, version: 2, scene: 1, openid: "o1" });
  });

  it("refuses an answer without a trace_id", () => {
    expect(() => submitImageCheck(clientAnswering(token("AT1"), json({ errcode: 0 })).client, "o1", "https://x/y.png")).toThrow(WechatUnreadableResponseError);
  });
});
