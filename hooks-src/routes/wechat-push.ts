import { readContentSecurityConfig } from "../content-security/config";
import { handlePushMessage } from "../content-security/push-events";
import { readWechatConfig } from "../config";
import { ApiFailure, failures } from "../errors";
import { answer } from "../http/responses";
import { logWarning } from "../log";
import { pushFailures } from "../push/push-errors";
import { openPush, verifyHandshake, type PushContext, type PushQuery } from "../push/push-requests";

export const MAX_PUSH_BODY_BYTES = 64 * 1024;

// WeChat's message push (消息推送): GET is the handshake when the URL is saved in the
// console, POST carries events. WeChat wants the echostr, or "success", as plain text.
export function pushHandshake(e: core.RequestEvent): void {
  answerPush(e, () => e.string(200, verifyHandshake(queryOf(e), pushContext())));
}

export function pushEvent(e: core.RequestEvent): void {
  answerPush(e, () => {
    const context = pushContext();
    const { message, release } = openPush(queryOf(e), readBody(e), context);
    try {
      handlePushMessage(message);
    } catch (error) {
      release();
      throw error;
    }
    e.string(200, "success");
  });
}

// $apis.bodyLimit stops the read past MAX_PUSH_BODY_BYTES, chunked or not.
function readBody(e: core.RequestEvent): string {
  try {
    return toString(e.request!.body, MAX_PUSH_BODY_BYTES + 1);
  } catch {
    throw failures.payloadTooLarge(MAX_PUSH_BODY_BYTES);
  }
}

function pushContext(): PushContext {
  const push = readContentSecurityConfig().push;
  if (!push) throw pushFailures.notConfigured();
  return { config: push, appId: readWechatConfig()?.appId ?? "", store: $app.store(), nowMs: Date.now() };
}

function queryOf(e: core.RequestEvent): PushQuery {
  const query: PushQuery = {};
  const values = e.request!.url!.query();
  for (const name of ["signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type"]) query[name] = values.get(name);
  return query;
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
