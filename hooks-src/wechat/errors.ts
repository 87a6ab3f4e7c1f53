// The four ways a WeChat call fails, and the one place they become our HTTP answers.
import { ApiFailure, failures } from "../errors";

export class WechatNetworkError extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? "WeChat did not answer in time" : "WeChat could not be reached");
  }
}

export class WechatErrcodeError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat answered errcode ${errcode}`);
  }
}

export class WechatHttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`WeChat answered HTTP ${status}`);
  }
}

export class WechatUnreadableResponseError extends Error {
  constructor(reason: string) {
    super(`WeChat's answer was unreadable: ${reason}`);
  }
}

export type WechatError = WechatNetworkError | WechatErrcodeError | WechatHttpStatusError | WechatUnreadableResponseError;

export function isWechatError(error: unknown): error is WechatError {
  return (
    error instanceof WechatNetworkError ||
    error instanceof WechatErrcodeError ||
    error instanceof WechatHttpStatusError ||
    error instanceof WechatUnreadableResponseError
  );
}

const rejectedCodeProblems: Record<number, { code: string; message: string }> = {
  40029: { code: "wechat_code_invalid", message: "微信 code 无效或已过期" },
  40163: { code: "wechat_code_used", message: "微信 code 已被使用" },
  40226: { code: "wechat_code_blocked", message: "微信判定该用户存在风险,已拦截登录" },
};

// errcodes that mean our appid/secret are wrong: an ops problem, not the client's.
const CONFIGURATION_ERRCODES = new Set([40002, 40013, 40125, 40164, 41002, 41004, 61024]);

// codeField names the request field whose code WeChat judged, for field-level 400s.
export function apiFailureForWechatError(error: WechatError, codeField: string): ApiFailure {
  if (error instanceof WechatNetworkError) return error.timedOut ? failures.wechatTimeout() : failures.wechatUnavailable();
  if (!(error instanceof WechatErrcodeError)) return failures.wechatUnavailable();
  const rejected = rejectedCodeProblems[error.errcode];
  if (rejected) return failures.wechatCodeRejected(codeField, rejected);
  if (error.errcode === 45011) return failures.wechatRateLimited();
  if (CONFIGURATION_ERRCODES.has(error.errcode)) return failures.wechatMisconfigured();
  return failures.wechatUnavailable();
}
