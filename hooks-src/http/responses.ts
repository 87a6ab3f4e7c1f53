// Our contract's envelope: {code, msg, data}. Every handler answers through here.
import { ApiFailure, failures } from "../errors";
import { isWechatError, apiFailureForWechatError } from "../wechat/errors";
import { logError } from "../log";

export function sendOk(e: core.RequestEvent, msg: string, data: object): void {
  e.json(200, { code: 200, msg, data });
}

export function sendFailure(e: core.RequestEvent, failure: ApiFailure): void {
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

// PocketBase's own middlewares, the rate limiter above all, can refuse a request before our
// handler runs. Registered on our routes just outside them, this gives those answers our
// envelope too instead of PocketBase's {status, message, data}.
export function renderPocketBaseRefusals(e: core.RequestEvent): void {
  try {
    e.next();
  } catch (error) {
    if (e.written()) throw error;
    const status = (error as { value?: { status?: unknown } }).value?.status;
    if (status === 429) return sendFailure(e, failures.rateLimited());
    if (status === 413) return sendFailure(e, failures.payloadTooLarge());
    if (typeof status === "number" && status >= 400 && status < 500) return sendFailure(e, failures.refusedByPocketBase(status));
    logError(`PocketBase refused ${e.request?.url?.path}`, error);
    sendFailure(e, failures.internal());
  }
}

// Registered on our paths for every method but POST, which PocketBase would answer 404.
export function methodNotAllowed(e: core.RequestEvent): void {
  e.response.header().set("Allow", "POST");
  sendFailure(e, failures.methodNotAllowed());
}
