// Checks a request on the message-push endpoint and opens it. A push counts only when it is
// signed with our token, its timestamp is within PUSH_MAX_AGE_S of our clock, its
// (timestamp, nonce) pair was never accepted before, and it comes in the configured mode:
// 安全模式 (msg_signature over the Encrypt field, then AES) when an EncodingAESKey is set,
// 明文模式 (signature over token, timestamp, nonce) when not.
import type { PushConfig } from "../content-security/config";
import { pushFailures } from "./push-errors";
import { decryptPushMessage, pushSignature, signaturesMatch } from "./push-crypto";

export const PUSH_MAX_AGE_S = 300;
const NONCE_KEY_PREFIX = "bai.pushNonce.";

export type PushQuery = Record<string, string>;
export type PushMessage = Record<string, unknown>;

export interface PushContext {
  config: PushConfig;
  appId: string;
  store: store.Store<string, any>;
  nowMs: number;
}

function requireSignedParameters(query: PushQuery, signatureName: string): { timestamp: string; nonce: string; signature: string } {
  const timestamp = query.timestamp ?? "";
  const nonce = query.nonce ?? "";
  const signature = query[signatureName] ?? "";
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce) || !/^[0-9a-f]{40}$/.test(signature)) throw pushFailures.unsigned();
  return { timestamp, nonce, signature };
}

function requireWithinWindow(timestamp: string, nowMs: number): void {
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > PUSH_MAX_AGE_S) throw pushFailures.stale();
}

// The GET that WeChat sends when the push URL is saved: answer echostr if it is signed.
export function verifyHandshake(query: PushQuery, context: PushContext): string {
  const { timestamp, nonce, signature } = requireSignedParameters(query, "signature");
  if (!signaturesMatch(pushSignature(context.config.token, timestamp, nonce), signature)) throw pushFailures.badSignature();
  requireWithinWindow(timestamp, context.nowMs);
  const echostr = query.echostr ?? "";
  if (!/^[\x21-\x7e]{1,256}$/.test(echostr)) throw pushFailures.badBody();
  return echostr;
}

// A POSTed event, verified and (in 安全模式) decrypted. The (timestamp, nonce) claim it
// makes is returned so that the caller can give it back if handling the event fails, and
// WeChat's retry of the same push is then accepted.
export function openPush(query: PushQuery, rawBody: string, context: PushContext): { message: PushMessage; release: () => void } {
  const { config } = context;
  const encrypted = config.encodingAesKey !== "";
  if (encrypted !== (query.encrypt_type === "aes")) throw pushFailures.wrongMode(encrypted ? "安全模式" : "明文模式");
  const { timestamp, nonce, signature } = requireSignedParameters(query, encrypted ? "msg_signature" : "signature");
  const body = parseJsonObject(rawBody);
  let message: PushMessage;
  if (encrypted) {
    const cipherText = body.Encrypt;
    if (typeof cipherText !== "string" || cipherText === "") throw pushFailures.badBody();
    if (!signaturesMatch(pushSignature(config.token, timestamp, nonce, cipherText), signature)) throw pushFailures.badSignature();
    requireWithinWindow(timestamp, context.nowMs);
    message = parseJsonObject(decryptPushMessage(cipherText, config.encodingAesKey, context.appId));
  } else {
    if (!signaturesMatch(pushSignature(config.token, timestamp, nonce), signature)) throw pushFailures.badSignature();
    requireWithinWindow(timestamp, context.nowMs);
    message = body;
  }
  const key = `${NONCE_KEY_PREFIX}${timestamp}.${nonce}`;
  if (!claimOnce(context.store, key, context.nowMs + 2 * PUSH_MAX_AGE_S * 1000)) throw pushFailures.replayed();
  return { message, release: () => context.store.remove(key) };
}

// setFunc runs under the store's lock, so of two identical pushes at once only one claims.
function claimOnce(store: store.Store<string, any>, key: string, keepUntilMs: number): boolean {
  let claimed = false;
  store.setFunc(key, (existing: number | null | undefined) => {
    if (typeof existing === "number") return existing;
    claimed = true;
    return keepUntilMs;
  });
  return claimed;
}

export function sweepExpiredPushNonces(store: store.Store<string, any> = $app.store(), nowMs = Date.now()): void {
  for (const key of store.keys()) {
    if (key.startsWith(NONCE_KEY_PREFIX) && !(store.get(key) > nowMs)) store.remove(key);
  }
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
