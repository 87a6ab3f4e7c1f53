import { readContentSecurityConfig } from "../content-security/config";
import { handlePushMessage } from "../content-security/push-events";
import { readWechatConfig } from "../config";
import { ApiFailure, failures } from "../errors";
import { isReadTimeout, limitBodyReadTime } from "../http/read-deadline";
import { answer } from "../http/responses";
import { logWarning } from "../log";
import { pushFailures } from "../push/push-errors";
import { storedPushNonces } from "../push/push-nonces";
import { pushQueryOf, takePushQuery } from "../push/push-query";
import { openPush, verifyHandshake, type PushContext } from "../push/push-requests";

export const MAX_PUSH_BODY_BYTES = 64 * 1024;
// WeChat sends a push at once and gives up on us after 5 s; a body still missing after this is not WeChat's.
export const PUSH_BODY_READ_TIMEOUT_S = 5;

// WeChat's message push (消息推送): GET is the handshake when the URL is saved in the
// console, POST carries events. WeChat wants the echostr, or "success", as plain text.
export function pushHandshake(e: core.RequestEvent): void {
  answerPush(e, () => e.string(200, verifyHandshake(pushQueryOf(e), pushContext())));
}

export function pushEvent(e: core.RequestEvent): void {
  answerPush(e, () => {
    const { message, release } = openPush(pushQueryOf(e), () => readBody(e), pushContext());
    try {
      handlePushMessage(message);
    } catch (error) {
      release();
      throw error;
    }
    e.string(200, "success");
  });
}

// Runs before PocketBase's checks (rate limit, body limit) can answer: the signatures leave the
// URL that PocketBase logs, and the body gets its deadline.
export function receivePush(e: core.RequestEvent): void {
  takePushQuery(e);
  limitBodyReadTime(e, PUSH_BODY_READ_TIMEOUT_S);
}

// $apis.bodyLimit stops the read past MAX_PUSH_BODY_BYTES, chunked or not.
function readBody(e: core.RequestEvent): string {
  try {
    return toString(e.request!.body, MAX_PUSH_BODY_BYTES + 1);
  } catch (error) {
    if (isReadTimeout(error)) throw failures.requestTimeout();
    throw failures.payloadTooLarge(MAX_PUSH_BODY_BYTES);
  }
}

function pushContext(): PushContext {
  const push = readContentSecurityConfig().push;
  if (!push) throw pushFailures.notConfigured();
  return { config: push, appId: readWechatConfig()?.appId ?? "", nonces: storedPushNonces(), nowMs: Date.now() };
}

// Refusals are logged by their reason only: never a signature, a nonce or the payload.
function answerPush(e: core.RequestEvent, handler: () => void): void {
  answer(e, () => {
    try {
      handler();
    } catch (error) {
      if (error instanceof ApiFailure) logWarning(`Refused a WeChat push (${e.request!.method}): ${error.msg}`);
      throw error;
    }
  });
}
