import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import type { PushNonces } from "./push-nonces";
import { openPush, PUSH_MAX_AGE_S, verifyHandshake, type PushContext } from "./push-requests";

const TOKEN = "pushToken123";
const KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const APP_ID = "wx_sim_appid";
const NOW = 1_800_000_000_000;
const sign = (...parts: string[]) => createHash("sha1").update(parts.sort().join("")).digest("hex");

function encrypt(message: string, appId = APP_ID): string {
  const key = Buffer.from(KEY + "=", "base64");
  const body = Buffer.concat([randomBytes(16), Buffer.alloc(4), Buffer.from(message), Buffer.from(appId)]);
  body.writeUInt32BE(Buffer.byteLength(message), 16);
  const pad = 32 - (body.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
}

// What push-nonces.ts keeps in its table, with the same rules.
class MemoryNonces implements PushNonces {
  readonly rows = new Map<string, { keepUntilMs: number; retryBody: string | null }>();
  claim(key: string, body: string, keepUntilMs: number) {
    const row = this.rows.get(key);
    if (row && row.retryBody !== body) return false;
    this.rows.set(key, { keepUntilMs: row?.keepUntilMs ?? keepUntilMs, retryBody: null });
    return true;
  }
  giveBackForRetryOf(key: string, body: string) {
    const row = this.rows.get(key);
    if (row) row.retryBody = body;
  }
}

const context = (encodingAesKey = "", nonces = new MemoryNonces()): PushContext => ({ config: { token: TOKEN, encodingAesKey }, appId: APP_ID, nonces, nowMs: NOW });
const bodyOf = (text: string) => () => text;
// A body that must not be read: the request is refused before.
const unreadBody = () => {
  throw new Error("the body was read");
};
const timestamp = String(NOW / 1000);

function plaintextPush(message: object, overrides: Record<string, string> = {}) {
  const nonce = randomBytes(6).toString("hex");
  return { query: { signature: sign(TOKEN, timestamp, nonce), timestamp, nonce, ...overrides }, body: JSON.stringify(message) };
}

function encryptedPush(message: object, overrides: Record<string, string> = {}, appId = APP_ID) {
  const nonce = randomBytes(6).toString("hex");
  const Encrypt = encrypt(JSON.stringify(message), appId);
  return {
    query: { signature: sign(TOKEN, timestamp, nonce), msg_signature: sign(TOKEN, timestamp, nonce, Encrypt), encrypt_type: "aes", timestamp, nonce, ...overrides },
    body: JSON.stringify({ ToUserName: "gh_sim", Encrypt }),
  };
}

function refusal(run: () => unknown): { status: number; msg: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiFailure) return { status: error.status, msg: error.msg };
    throw error;
  }
  throw new Error("not refused");
}

describe("verifyHandshake", () => {
  const handshake = (overrides: Record<string, string> = {}) => ({ signature: sign(TOKEN, timestamp, "n1"), timestamp, nonce: "n1", echostr: "7316854", ...overrides });

  it("answers echostr for a request signed with our token", () => {
    expect(verifyHandshake(handshake(), context())).toBe("7316854");
  });

  it("uses up its nonce: neither the handshake nor a POST with its signature gets in again", () => {
    const ctx = context();
    verifyHandshake(handshake(), ctx);
    expect(refusal(() => verifyHandshake(handshake(), ctx))).toEqual({ status: 401, msg: "重复的推送" });
    const post = { signature: sign(TOKEN, timestamp, "n1"), timestamp, nonce: "n1" };
    expect(refusal(() => openPush(post, bodyOf("{}"), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it("uses up its nonce even when echostr is refused", () => {
    const ctx = context();
    expect(refusal(() => verifyHandshake(handshake({ echostr: "" }), ctx)).status).toBe(400);
    expect(refusal(() => verifyHandshake(handshake(), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it.each([
    ["signed with another token", handshake({ signature: sign("other", timestamp, "n1") }), 401],
    ["without a signature", handshake({ signature: "" }), 401],
    ["with a timestamp outside the window", { ...handshake(), timestamp: String(NOW / 1000 - PUSH_MAX_AGE_S - 1), signature: sign(TOKEN, String(NOW / 1000 - PUSH_MAX_AGE_S - 1), "n1") }, 401],
    ["without echostr", handshake({ echostr: "" }), 400],
  ])("refuses a handshake %s", (_, query, status) => {
    expect(refusal(() => verifyHandshake(query, context())).status).toBe(status);
  });
});

describe("openPush in 明文模式", () => {
  it("opens a signed JSON push once, and refuses its replay", () => {
    const ctx = context();
    const { query, body } = plaintextPush({ Event: "wxa_media_check", trace_id: "t1" });
    expect(openPush(query, bodyOf(body), ctx).message).toEqual({ Event: "wxa_media_check", trace_id: "t1" });
    expect(refusal(() => openPush(query, bodyOf(body), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it("accepts WeChat's retry of the same body once the first attempt gave its claim back, and no other body", () => {
    const ctx = context();
    const { query, body } = plaintextPush({ a: 1 });
    openPush(query, bodyOf(body), ctx).release();
    expect(refusal(() => openPush(query, bodyOf(JSON.stringify({ a: 2 })), ctx))).toEqual({ status: 401, msg: "重复的推送" });
    expect(openPush(query, bodyOf(body), ctx).message).toEqual({ a: 1 });
    expect(refusal(() => openPush(query, bodyOf(body), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it("uses up a signature that verified even when the body is refused", () => {
    const ctx = context();
    const { query, body } = plaintextPush({ a: 1 });
    expect(refusal(() => openPush(query, bodyOf("<xml></xml>"), ctx)).status).toBe(400);
    expect(refusal(() => openPush(query, bodyOf(body), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it.each([
    ["a forged signature", { signature: sign("guess", timestamp, "x") }],
    ["no signature", { signature: "" }],
    ["a stale timestamp", { timestamp: String(NOW / 1000 - PUSH_MAX_AGE_S - 1) }],
  ])("never reads the body of a push with %s", (_, overrides) => {
    expect(refusal(() => openPush(plaintextPush({}, overrides).query, unreadBody, context())).status).toBe(401);
  });

  it.each([
    ["a forged signature", plaintextPush({}, { signature: sign("guess", timestamp, "x") }), 401],
    ["no signature at all", plaintextPush({}, { signature: "" }), 401],
    ["an encrypted push", encryptedPush({}), 400],
    ["a body that is not JSON", { ...plaintextPush({}), body: "<xml></xml>" }, 400],
  ])("refuses %s", (_, { query, body }, status) => {
    expect(refusal(() => openPush(query, bodyOf(body), context())).status).toBe(status);
  });

  it("refuses a push stamped too far from our clock, either way", () => {
    for (const offset of [-(PUSH_MAX_AGE_S + 1), PUSH_MAX_AGE_S + 1]) {
      const stamp = String(NOW / 1000 + offset);
      const query = { signature: sign(TOKEN, stamp, "n2"), timestamp: stamp, nonce: "n2" };
      expect(refusal(() => openPush(query, bodyOf("{}"), context()))).toEqual({ status: 401, msg: "推送时间戳超出允许范围" });
    }
  });
});

describe("openPush in 安全模式", () => {
  it("checks msg_signature over Encrypt and decrypts the message", () => {
    const { query, body } = encryptedPush({ Event: "wxa_media_check", trace_id: "t2", result: { suggest: "risky" } });
    expect(openPush(query, bodyOf(body), context(KEY)).message).toEqual({ Event: "wxa_media_check", trace_id: "t2", result: { suggest: "risky" } });
  });

  it.each([
    ["a forged URL signature", { signature: sign("guess", timestamp, "x") }, "推送签名无效"],
    ["no URL signature, only msg_signature", { signature: "" }, "推送缺少签名参数"],
  ])("never reads the body of a push with %s", (_, overrides, msg) => {
    expect(refusal(() => openPush(encryptedPush({}, overrides).query, unreadBody, context(KEY)))).toEqual({ status: 401, msg });
  });

  it.each([
    ["a forged msg_signature", { msg_signature: sign(TOKEN, timestamp, "x", "y") }, { status: 401, msg: "推送签名无效" }],
    ["no msg_signature", { msg_signature: "" }, { status: 401, msg: "推送缺少签名参数" }],
    ["no encrypt_type", { encrypt_type: "" }, { status: 400, msg: "推送模式不符,服务端配置为安全模式" }],
  ])("uses up the nonce of a push with %s under a correct URL signature", (_, overrides, answer) => {
    const ctx = context(KEY);
    const { query, body } = encryptedPush({ a: 1 });
    expect(refusal(() => openPush({ ...query, ...overrides }, bodyOf(body), ctx))).toEqual(answer);
    expect(refusal(() => openPush(query, bodyOf(body), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it("uses up the nonce of a push whose body never arrived", () => {
    const ctx = context(KEY);
    const { query, body } = encryptedPush({ a: 1 });
    expect(() => openPush(query, unreadBody, ctx)).toThrow("the body was read");
    expect(refusal(() => openPush(query, bodyOf(body), ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it.each([
    ["a plaintext push", plaintextPush({}), 400],
    ["a forged msg_signature", encryptedPush({}, { msg_signature: sign(TOKEN, timestamp, "x", "y") }), 401],
    ["only the plaintext signature", encryptedPush({}, { msg_signature: "" }), 401],
    ["a message for another appid", encryptedPush({}, {}, "wx_other"), 400],
  ])("refuses %s", (_, { query, body }, status) => {
    expect(refusal(() => openPush(query, bodyOf(body), context(KEY))).status).toBe(status);
  });

  it("refuses ciphertext an attacker signed without the AES key", () => {
    const nonce = "n3";
    const Encrypt = randomBytes(64).toString("base64");
    const query = { signature: sign(TOKEN, timestamp, nonce), msg_signature: sign(TOKEN, timestamp, nonce, Encrypt), encrypt_type: "aes", timestamp, nonce };
    expect(refusal(() => openPush(query, bodyOf(JSON.stringify({ Encrypt })), context(KEY))).status).toBe(400);
  });
});
