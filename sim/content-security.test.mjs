import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushSignature } from "./wechat-push.mjs";
import { startWechatSimulator } from "./wechat-simulator.mjs";

const APP_ID = "wx_test_appid";
const SECRET = "test_secret";
let sim;
let receiver; // stands in for our push endpoint: records what the simulator pushes
const pushes = [];

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: APP_ID, secret: SECRET });
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      pushes.push({ url: new URL(req.url, "http://receiver"), body });
      res.end("success");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await sim.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const post = (path, body) => fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((res) => res.json());
const accessToken = async () => (await post("/cgi-bin/stable_token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET, force_refresh: false })).access_token;

describe("msg_sec_check", () => {
  it("answers v2's result.suggest, chosen by the content", async () => {
    const token = await accessToken();
    for (const [content, suggest] of [["张三", "pass"], ["待审的名字", "review"], ["违规的名字", "risky"]]) {
      const answer = await post(`/wxa/msg_sec_check?access_token=${token}`, { content, version: 2, scene: 1, openid: "osim_a" });
      expect(answer).toMatchObject({ errcode: 0, result: { suggest }, trace_id: expect.any(String) });
    }
  });

  it("wants an access token, version 2 and an openid", async () => {
    expect((await post("/wxa/msg_sec_check", { content: "x", version: 2, scene: 1, openid: "o" })).errcode).toBe(41001);
    const token = await accessToken();
    expect((await post(`/wxa/msg_sec_check?access_token=${token}`, { content: "x", version: 1, scene: 1, openid: "o" })).errcode).toBe(47001);
    expect((await post(`/wxa/msg_sec_check?access_token=${token}`, { content: "x", version: 2, scene: 1 })).errcode).toBe(40003);
  });
});

describe("media_check_async", () => {
  it("answers a trace_id, fetches the image and pushes a correctly signed verdict, or a forged one on request", async () => {
    const target = `http://127.0.0.1:${receiver.address().port}/push`;
    await post("/__sim/push/target", { url: target, token: "tok" });
    const token = await accessToken();
    const mediaUrl = `${sim.url}/__sim/health`; // any URL that answers 200
    const { trace_id: traceId } = await post(`/wxa/media_check_async?access_token=${token}`, { media_url: mediaUrl, media_type: 2, version: 2, scene: 1, openid: "osim_review_x" });
    await expect.poll(() => pushes.length, { timeout: 2000 }).toBe(1);
    const [push] = pushes;
    const { timestamp, nonce, signature } = Object.fromEntries(push.url.searchParams);
    expect(signature).toBe(pushSignature("tok", timestamp, nonce));
    expect(JSON.parse(push.body)).toMatchObject({ Event: "wxa_media_check", trace_id: traceId, result: { suggest: "review" } });

    await post("/__sim/push/forge", { mode: "signature" });
    await post(`/wxa/media_check_async?access_token=${token}`, { media_url: mediaUrl, media_type: 2, version: 2, scene: 1, openid: "osim_x" });
    await expect.poll(() => pushes.length, { timeout: 2000 }).toBe(2);
    const forged = Object.fromEntries(pushes[1].url.searchParams);
    expect(forged.signature).not.toBe(pushSignature("tok", forged.timestamp, forged.nonce));
  });
});
