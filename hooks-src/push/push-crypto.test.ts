import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptAes256Cbc } from "./aes-cbc";
import { base64Decode, hex, utf8Decode, utf8Encode } from "./bytes";
import { aesKeyOf, decryptPushMessage, pushSignature, signaturesMatch } from "./push-crypto";
import { sha1, sha1Hex } from "./sha1";

// Tencent's own sample for WXBizMsgCrypt (the Python/Java/PHP/C#/C++ demo that ships with
// "消息加解密接入指引"): its token, key, appid, timestamp, nonce, msg_signature and Encrypt.
const TENCENT_SAMPLE = {
  token: "spamtest",
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  appId: "wx2c2769f8efd9abc2",
  timestamp: "1409735669",
  nonce: "1320562132",
  msgSignature: "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
  encrypt:
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=",
};

// What WeChat does, with Node's crypto: the reference our goja-side code is checked against.
function wechatEncrypt(message: string, encodingAesKey: string, appId: string, random = randomBytes(16)): string {
  const key = Buffer.from(encodingAesKey + "=", "base64");
  const body = Buffer.concat([random, Buffer.alloc(4), Buffer.from(message), Buffer.from(appId)]);
  body.writeUInt32BE(Buffer.byteLength(message), 16);
  const pad = 32 - (body.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
}

describe("sha1", () => {
  it.each([
    ["", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
    ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"],
  ])("matches FIPS 180 for %j", (input, digest) => {
    expect(hex(sha1(utf8Encode(input)))).toBe(digest);
  });

  it("matches Node's sha1 at every length around the block boundaries", () => {
    for (let length = 0; length < 200; length++) {
      const input = randomBytes(length);
      expect(hex(sha1(input))).toBe(createHash("sha1").update(input).digest("hex"));
    }
  });

  it("of text matches Node's sha1 of its UTF-8, ASCII or not, at every length around the block boundaries", () => {
    for (let length = 0; length < 200; length++) {
      for (const text of [randomBytes(length).toString("base64").slice(0, length), [..."头像✓😀".repeat(length)].slice(0, length).join("")]) {
        expect(sha1Hex(text)).toBe(createHash("sha1").update(text).digest("hex"));
      }
    }
  });

  it("of a 64 KB Encrypt field matches Node's", () => {
    const encrypt = randomBytes(48 * 1024).toString("base64");
    expect(sha1Hex(encrypt)).toBe(createHash("sha1").update(encrypt).digest("hex"));
  });
});

describe("AES-256-CBC", () => {
  it("decrypts the FIPS 197 appendix C.3 block", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const ciphertext = Buffer.from("8ea2b7ca516745bfeafc49904b496089", "hex");
    expect(hex(decryptAes256Cbc(ciphertext, key, new Uint8Array(16)))).toBe("00112233445566778899aabbccddeeff");
  });

  it("agrees with Node's aes-256-cbc on random keys and lengths", () => {
    for (let blocks = 1; blocks <= 20; blocks++) {
      const [key, iv, plaintext] = [randomBytes(32), randomBytes(16), randomBytes(blocks * 16)];
      const cipher = createCipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      expect(hex(decryptAes256Cbc(ciphertext, key, iv))).toBe(plaintext.toString("hex"));
    }
  });

  it("refuses partial blocks", () => {
    expect(() => decryptAes256Cbc(new Uint8Array(17), new Uint8Array(32), new Uint8Array(16))).toThrow();
  });
});

describe("bytes", () => {
  it("base64 and UTF-8 round-trip like Node's", () => {
    for (const text of ["", "a", "ab", "abc", "头像 ✓ 😀", randomBytes(50).toString("base64")]) {
      expect(Buffer.from(base64Decode(Buffer.from(text).toString("base64"))).toString()).toBe(text);
      expect(utf8Decode(utf8Encode(text))).toBe(text);
    }
  });

  it("refuses what is not base64 or not UTF-8", () => {
    expect(() => base64Decode("abc")).toThrow();
    expect(() => base64Decode("ab$=")).toThrow();
    expect(() => utf8Decode(Uint8Array.from([0xc3, 0x28]))).toThrow();
  });
});

describe("push signatures", () => {
  it("reproduce the msg_signature of Tencent's sample", () => {
    const { token, timestamp, nonce, encrypt, msgSignature } = TENCENT_SAMPLE;
    expect(pushSignature(token, timestamp, nonce, encrypt)).toBe(msgSignature);
  });

  it("are sha1 over the sorted parts, so their order does not matter", () => {
    expect(pushSignature("b", "a", "c")).toBe(createHash("sha1").update("abc").digest("hex"));
  });

  it("compare exactly", () => {
    expect(signaturesMatch("abc", "abc")).toBe(true);
    expect(signaturesMatch("abc", "abd")).toBe(false);
    expect(signaturesMatch("abc", "ab")).toBe(false);
  });
});

describe("decryptPushMessage", () => {
  it("decrypts Tencent's sample to its XML message", () => {
    const { encrypt, encodingAesKey, appId } = TENCENT_SAMPLE;
    const message = decryptPushMessage(encrypt, encodingAesKey, appId);
    expect(message).toContain("<Content><![CDATA[abcdteT]]></Content>");
    expect(message.startsWith("<xml>") && message.endsWith("</xml>")).toBe(true);
  });

  it("decrypts what WeChat's algorithm encrypts, JSON and non-ASCII included", () => {
    const key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
    for (const message of ["", "{}", JSON.stringify({ Event: "wxa_media_check", trace_id: "t-1", note: "头像 😀" }), "x".repeat(1000)]) {
      expect(decryptPushMessage(wechatEncrypt(message, key, "wx_sim_appid"), key, "wx_sim_appid")).toBe(message);
    }
  });

  it("refuses a message for another appid, a tampered one, a wrong key and garbage", () => {
    const key = TENCENT_SAMPLE.encodingAesKey;
    const encrypted = wechatEncrypt('{"a":1}', key, "wx_other");
    expect(() => decryptPushMessage(encrypted, key, "wx_sim_appid")).toThrow(/another appid/);
    const tampered = Buffer.from(encrypted, "base64");
    tampered[tampered.length - 1] ^= 1;
    expect(() => decryptPushMessage(tampered.toString("base64"), key, "wx_other")).toThrow(/无法解密/);
    expect(() => decryptPushMessage(encrypted, "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx_other")).toThrow(/无法解密/);
    expect(() => decryptPushMessage("not base64!", key, "wx_other")).toThrow(/无法解密/);
  });

  it("derives a 32-byte key and refuses a malformed EncodingAESKey", () => {
    expect(aesKeyOf(TENCENT_SAMPLE.encodingAesKey)).toHaveLength(32);
    expect(() => aesKeyOf("short")).toThrow();
  });
});
