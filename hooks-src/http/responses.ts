// Our contract's envelope: {code, msg, data}. Every handler answers through here.
import { ApiFailure, failures } from "../errors";
import { isWechatError, apiFailureForWechatError } from "../wechat/errors";
import { logError } from "../log";

export function sendOk(e: core.RequestEvent, msg: string, data: object): void {
  e.json(200, { code: 200, msg, data });
}

function sendFailure(e: core.RequestEvent, failure: ApiFailure): void {
  e.json(failure.status, { code: failure.status, msg: failure.msg, data: failure.data });
}

// Runs a handler and renders whatever it throws. Unknown errors are logged (redacted)
// and answered as a bare 500: no message or stack of theirs reaches the client.
export function answer(e: core.RequestEvent, handler: () => void, wechatCodeField = ""): void {
  try {
    handler();
  } catch (error) {
    if (error instanceof ApiFailure) return sendFailure(e, error);
    if (isWechatError(error)) {
      const failure = apiFailureForWechatError(error, wechatCodeField);
      if (failure.status >= 500) logError(`WeChat call failed on ${e.request?.url?.path}`, error);
      return sendFailure(e, failure);
    }
    logError(`Unexpected error on ${e.request?.url?.path}`, error);
    sendFailure(e, failures.internal());
  }
}
