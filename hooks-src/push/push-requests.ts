// Checks a request on the message-push endpoint and opens it. A push counts only when it is
// signed with our token, its timestamp is within PUSH_MAX_AGE_S of our clock, its
// (timestamp, nonce) pair was never used before (push-nonces.ts), and it comes in the configured
// mode: 安全模式 (msg_signature over the Encrypt field, then AES) when an EncodingAESKey is set,
// 明文模式 (signature over token, timestamp, nonce) when not.
//
// The checks run cheapest first, and nothing touches the body before the URL's `signature` (a
// SHA-1 of some 60 bytes, which WeChat sends in both modes) has verified: a forgery costs the
// same whatever its size, and only a request signed with the token reaches the SHA-1 over
// Encrypt (about 2 ms per KB in goja). Every request whose signature verifies uses up its pair,
// a handshake too, whatever comes next: no signature authorises two requests.
import type { PushConfig } from "../content-security/config";
import { pushFailures } from "./push-errors";
import { decryptPushMessage, pushSignature, signaturesMatch } from "./push-crypto";
import type { PushNonces } from "./push-nonces";

export const PUSH_MAX_AGE_S = 300;
// A pair is kept while its timestamp could still pass the window: |now - timestamp| <= 300 s.
const KEEP_NONCE_MS = 2 * PUSH_MAX_AGE_S * 1000;

export type PushQuery = Record<string, string>;
export type PushMessage = Record<string, unknown>;

export interface PushContext {
  config: PushConfig;
  appId: string;
  nonces: PushNonces;
  nowMs: number;
}

interface SignedQuery {
  timestamp: string;
  nonce: string;
  signature: string;
}

const SIGNATURE_FORMAT = /^[0-9a-f]{40}$/;

// The parameters every signed request has, the timestamp within the window, and the URL's
// signature made with our token.
function requireSignedQuery(query: PushQuery, { config, nowMs }: PushContext): SignedQuery {
  const timestamp = query.timestamp ?? "";
  const nonce = query.nonce ?? "";
  const signature = query.signature ?? "";
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce) || !SIGNATURE_FORMAT.test(signature)) throw pushFailures.unsigned();
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > PUSH_MAX_AGE_S) throw pushFailures.stale();
  if (!signaturesMatch(pushSignature(config.token, timestamp, nonce), signature)) throw pushFailures.badSignature();
  return { timestamp, nonce, signature };
}

const nonceKey = ({ timestamp, nonce }: SignedQuery) => `${timestamp}.${nonce}`;

// The GET that WeChat sends when the push URL is saved: answer echostr if it is signed.
export function verifyHandshake(query: PushQuery, context: PushContext): string {
  const signed = requireSignedQuery(query, context);
  if (!context.nonces.claim(nonceKey(signed), "", context.nowMs + KEEP_NONCE_MS)) throw pushFailures.replayed();
  const echostr = query.echostr ?? "";
  if (!/^[\x21-\x7e]{1,256}$/.test(echostr)) throw pushFailures.badBody();
  return echostr;
}

// A POSTed event, verified and (in 安全模式) decrypted; readBody is called only once the URL's
// signature has verified, and from then on the request has used up its pair, whatever it is
// refused for (even a body that never arrives). release() lets WeChat's retry of exactly this
// request in, for when handling the event fails.
export function openPush(query: PushQuery, readBody: () => string, context: PushContext): { message: PushMessage; release: () => void } {
  const { config } = context;
  const signed = requireSignedQuery(query, context);
  const key = nonceKey(signed);
  const rawBody = readBodyUsingUp(key, readBody, context);
  const encrypted = config.encodingAesKey !== "";
  if (encrypted !== (query.encrypt_type === "aes")) throw pushFailures.wrongMode(encrypted ? "安全模式" : "明文模式");
  const body = parseJsonObject(rawBody);
  let message = body;
  if (encrypted) {
    const messageSignature = query.msg_signature ?? "";
    if (!SIGNATURE_FORMAT.test(messageSignature)) throw pushFailures.unsigned();
    const cipherText = body.Encrypt;
    if (typeof cipherText !== "string" || cipherText === "") throw pushFailures.badBody();
    if (!signaturesMatch(pushSignature(config.token, signed.timestamp, signed.nonce, cipherText), messageSignature)) throw pushFailures.badSignature();
    message = parseJsonObject(decryptPushMessage(cipherText, config.encodingAesKey, context.appId));
  }
  return { message, release: () => context.nonces.giveBackForRetryOf(key, rawBody) };
}

function readBodyUsingUp(key: string, readBody: () => string, { nonces, nowMs }: PushContext): string {
  let rawBody: string;
  try {
    rawBody = readBody();
  } catch (error) {
    nonces.claim(key, "", nowMs + KEEP_NONCE_MS);
    throw error;
  }
  if (!nonces.claim(key, rawBody, nowMs + KEEP_NONCE_MS)) throw pushFailures.replayed();
  return rawBody;
}

function parseJsonObject(text: string): PushMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw pushFailures.badBody();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw pushFailures.badBody();
  return parsed as PushMessage;
}
