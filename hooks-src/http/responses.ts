// Our contract's envelope: {code, msg, data}. Every handler answers through here.
import { ApiFailure, failures } from "../errors";
import { isWechatError, apiFailureForWechatError } from "../wechat/errors";
import { logError } from "../log";

export function sendOk(e: core.RequestEvent, msg: string, data: object): void {
  e.json(200, { code: 200, msg, data });
}

export function sendFailure(e: core.RequestEvent, failure: ApiFailure): void {
  const body = { code: failure.status, msg: failure.msg, data: failure.data };
  e.json(failure.status, failure.error ? { ...body, error: failure.error } : body);
}

// Runs a handler and renders whatever it throws. Unknown errors are logged (redacted)
// and answered as a bare 500: no message or stack of theirs reaches the client.
// The handler gets e, so that a route may pass a function of its module instead of a closure.
export function answer(e: core.RequestEvent, handler: (e: core.RequestEvent) => void, wechatCodeField = ""): void {
  try {
    handler(e);
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

// Our WeChat routes run as a middleware just outside PocketBase's rate limiter: e.next()
// runs the checks PocketBase makes after ours begin, the rate limiter (429) and the route's
// $apis.bodyLimit on a declared Content-Length (413), whose refusals get our envelope instead
// of PocketBase's {status, message, data}. Returns true when the request got through.
// The route's registered handler is empty; doing the work here keeps one VM per request.
export function passedPocketBaseChecks(e: core.RequestEvent, maxBodyBytes: number): boolean {
  try {
    e.next();
  } catch (error) {
    if (e.written()) throw error;
    const status = (error as { value?: { status?: unknown } }).value?.status;
    if (status === 429) sendFailure(e, failures.rateLimited());
    else if (status === 413) sendFailure(e, failures.payloadTooLarge(maxBodyBytes));
    else {
      logError(`PocketBase refused ${e.request?.url?.path}`, error);
      sendFailure(e, failures.internal());
    }
    return false;
  }
  return !e.written();
}
