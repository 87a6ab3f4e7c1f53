import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import { asStore, MemoryStore } from "../test-doubles";
import { openPush, PUSH_MAX_AGE_S, sweepExpiredPushNonces, verifyHandshake, type PushContext } from "./push-requests";

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

const context = (encodingAesKey = "", store = asStore(new MemoryStore())): PushContext => ({ config: { token: TOKEN, encodingAesKey }, appId: APP_ID, store, nowMs: NOW });
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
    expect(openPush(query, body, ctx).message).toEqual({ Event: "wxa_media_check", trace_id: "t1" });
    expect(refusal(() => openPush(query, body, ctx))).toEqual({ status: 401, msg: "重复的推送" });
  });

  it("accepts WeChat's retry once the first attempt gave its claim back", () => {
    const ctx = context();
    const { query, body } = plaintextPush({ a: 1 });
    openPush(query, body, ctx).release();
    expect(openPush(query, body, ctx).message).toEqual({ a: 1 });
  });

  it.each([
    ["a forged signature", plaintextPush({}, { signature: sign("guess", timestamp, "x") }), 401],
    ["no signature at all", plaintextPush({}, { signature: "" }), 401],
    ["an encrypted push", encryptedPush({}), 400],
    ["a body that is not JSON", { ...plaintextPush({}), body: "<xml></xml>" }, 400],
  ])("refuses %s", (_, { query, body }, status) => {
    expect(refusal(() => openPush(query, body, context())).status).toBe(status);
  });

  it("refuses a push stamped too far from our clock, either way", () => {
    for (const offset of [-(PUSH_MAX_AGE_S + 1), PUSH_MAX_AGE_S + 1]) {
      const stamp = String(NOW / 1000 + offset);
      const query = { signature: sign(TOKEN, stamp, "n2"), timestamp: stamp, nonce: "n2" };
      expect(refusal(() => openPush(query, "{}", context()))).toEqual({ status: 401, msg: "推送时间戳超出允许范围" });
    }
  });
});

describe("openPush in 安全模式", () => {
  it("checks msg_signature over Encrypt and decrypts the message", () => {
    const { query, body } = encryptedPush({ Event: "wxa_media_check", trace_id: "t2", result: { suggest: "risky" } });
    expect(openPush(query, body, context(KEY)).message).toEqual({ Event: "wxa_media_check", trace_id: "t2", result: { suggest: "risky" } });
  });

  it.each([
    ["a plaintext push", plaintextPush({}), 400],
    ["a forged msg_signature", encryptedPush({}, { msg_signature: sign(TOKEN, timestamp, "x", "y") }), 401],
    ["only the plaintext signature", encryptedPush({}, { msg_signature: "" }), 401],
    ["a message for another appid", encryptedPush({}, {}, "wx_other"), 400],
  ])("refuses %s", (_, { query, body }, status) => {
    expect(refusal(() => openPush(query, body, context(KEY))).status).toBe(status);
  });

  it("refuses ciphertext an attacker signed without the AES key", () => {
    const nonce = "n3";
    const Encrypt = randomBytes(64).toString("base64");
    const query = { msg_signature: sign(TOKEN, timestamp, nonce, Encrypt), encrypt_type: "aes", timestamp, nonce };
    expect(refusal(() => openPush(query, JSON.stringify({ Encrypt }), context(KEY))).status).toBe(400);
  });
});

describe("sweepExpiredPushNonces", () => {
  it("forgets claims once they can no longer matter", () => {
    const memory = new MemoryStore();
    const { query, body } = plaintextPush({});
    openPush(query, body, context("", asStore(memory)));
    sweepExpiredPushNonces(asStore(memory), NOW + 2 * PUSH_MAX_AGE_S * 1000 - 1);
    expect(memory.keys()).toHaveLength(1);
    sweepExpiredPushNonces(asStore(memory), NOW + 2 * PUSH_MAX_AGE_S * 1000);
    expect(memory.keys()).toHaveLength(0);
  });
});
