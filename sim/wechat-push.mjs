// WeChat's message push (消息推送) as WeChat sends it, for the simulator and the tests:
// the handshake GET, and POSTed JSON events in 明文模式 or 安全模式 (AES-256-CBC with the
// EncodingAESKey, PKCS#7 to 32 bytes, msg_signature over the Encrypt field), with correct
// signatures or forged ones.
import { createCipheriv, createHash, randomBytes } from "node:crypto";

export const pushSignature = (...parts) => createHash("sha1").update(parts.map(String).sort().join("")).digest("hex");

export function encryptPushMessage(message, encodingAesKey, appId) {
  const key = Buffer.from(encodingAesKey + "=", "base64");
  const body = Buffer.concat([randomBytes(16), Buffer.alloc(4), Buffer.from(message), Buffer.from(appId)]);
  body.writeUInt32BE(Buffer.byteLength(message), 16);
  const pad = 32 - (body.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString("base64");
}

const nonceOf = () => String(randomBytes(4).readUInt32BE());
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

// forge: "signature" signs with a wrong token, "none" leaves the signature out.
export function handshakeUrl(endpoint, { token, echostr = nonceOf(), timestamp = nowSeconds(), nonce = nonceOf(), forge } = {}) {
  const url = new URL(endpoint);
  url.searchParams.set("timestamp", timestamp);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("echostr", echostr);
  if (forge !== "none") url.searchParams.set("signature", pushSignature(forge === "signature" ? `${token}x` : token, timestamp, nonce));
  return { url: url.toString(), echostr };
}

// The request WeChat would POST for `event`: { url, body } (JSON), in the mode the key implies.
// forge: "signature" signs both signatures with a wrong token, "msg_signature" only the one
// over Encrypt, "none" leaves both out.
export function signedPush(endpoint, event, { token, encodingAesKey = "", appId, timestamp = nowSeconds(), nonce = nonceOf(), forge } = {}) {
  const url = new URL(endpoint);
  const signingToken = forge === "signature" ? `${token}x` : token;
  url.searchParams.set("timestamp", timestamp);
  url.searchParams.set("nonce", nonce);
  if (forge !== "none") url.searchParams.set("signature", pushSignature(signingToken, timestamp, nonce));
  if (!encodingAesKey) return { url: url.toString(), body: JSON.stringify(event) };
  const encrypted = encryptPushMessage(JSON.stringify(event), encodingAesKey, appId);
  url.searchParams.set("encrypt_type", "aes");
  if (forge !== "none") url.searchParams.set("msg_signature", pushSignature(forge === "msg_signature" ? `${token}x` : signingToken, timestamp, nonce, encrypted));
  return { url: url.toString(), body: JSON.stringify({ ToUserName: "gh_sim0000000000", Encrypt: encrypted }) };
}

export async function deliverPush(request) {
  const response = await fetch(request.url, { method: "POST", headers: { "content-type": "application/json" }, body: request.body });
  return { status: response.status, text: await response.text() };
}

// The wxa_media_check event of mediaCheckAsync v2, as WeChat documents and sends it.
export function mediaCheckEvent({ appId, openid, traceId, suggest, label = suggest === "pass" ? 100 : 20002 }) {
  return {
    ToUserName: "gh_sim0000000000",
    FromUserName: openid,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: "event",
    Event: "wxa_media_check",
    appid: appId,
    trace_id: traceId,
    version: 2,
    detail: [{ strategy: "content_model", errcode: 0, suggest, label, prob: 90 }],
    errcode: 0,
    errmsg: "ok",
    result: { suggest, label },
  };
}
