// The ways a WeChat call fails, and the one place they become our HTTP answers: the four upstream
// failures (network or timeout, errcode, HTTP status, unreadable body), and our own refusal to
// force yet another access token.
import { ApiFailure, failures } from "../errors";

export type WechatApi =
  | "jscode2session"
  | "stable_token"
  | "getuserphonenumber"
  | "msg_sec_check"
  | "media_check_async"
  | "sns_oauth2_access_token"
  | "sns_userinfo"
  | "getuserriskrank";

export class WechatNetworkError extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? "WeChat did not answer in time" : "WeChat could not be reached");
  }
}

export class WechatErrcodeError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: WechatApi,
  ) {
    const cause = (api === "sns_oauth2_access_token" ? WEB_APP_CONFIGURATION_FAILURES[errcode] : undefined) ?? CONFIGURATION_FAILURES[errcode] ?? NOTABLE_ERRCODES[errcode];
    super(`WeChat answered errcode ${errcode} on ${api}${cause && !isUserInput(errcode, api) ? `: ${cause}` : ""} (errmsg "${errmsg}")`);
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

// WeChat keeps rejecting the access token and we won't force another one now: one is being
// forced, was forced under 30 s ago, or today's budget of forced refreshes is spent.
export class WechatAccessTokenUnavailableError extends Error {
  constructor(readonly reason: "refreshing" | "budget-spent") {
    super(
      reason === "refreshing"
        ? "WeChat rejects the access token and a forced refresh is under way or just ran"
        : "WeChat rejects the access token and today's forced refreshes are spent",
    );
  }
}

export type WechatError = WechatNetworkError | WechatErrcodeError | WechatHttpStatusError | WechatUnreadableResponseError | WechatAccessTokenUnavailableError;

export function isWechatError(error: unknown): error is WechatError {
  return (
    error instanceof WechatNetworkError ||
    error instanceof WechatErrcodeError ||
    error instanceof WechatHttpStatusError ||
    error instanceof WechatUnreadableResponseError ||
    error instanceof WechatAccessTokenUnavailableError
  );
}

// errcodes that mean this server's WeChat setup is wrong: an ops problem, not the client's. Each
// names what ops must fix; the log line of the 500 carries it (docs/security.md lists them).
export const CONFIGURATION_FAILURES: Record<number, string> = {
  40002: "WeChat refused our grant_type (a bug in this server, not configuration)",
  40013: "WECHAT_APPID is not a valid mini-program AppID",
  40125: "WECHAT_SECRET is wrong: copy the AppSecret again from mp.weixin.qq.com (开发管理 → 开发设置), or reset it there",
  40164: "this server's outbound IP is not in the mini-program's IP whitelist: add it on mp.weixin.qq.com (开发管理 → 开发设置 → IP白名单)",
  41002: "WeChat received no appid: check WECHAT_APPID",
  41004: "WeChat received no secret: check WECHAT_SECRET",
  61024: "WECHAT_APPID belongs to a third-party platform account, not to the mini-program",
  89503: "calls from this server's IP wait for an administrator's confirmation: the mini-program's administrator must approve them in WeChat",
  89506: "an administrator refused calls from this server's IP: WeChat blocks it for 24 hours; agree with the administrator, then retry",
  89507: "an administrator refused calls from this server's IP: WeChat blocks it for 1 hour; agree with the administrator, then retry",
};

// The same errcodes on 网页授权, whose app is one of WECHAT_APPS rather than WECHAT_APPID.
const WEB_APP_CONFIGURATION_FAILURES: Record<number, string> = {
  40013: "the appid in WECHAT_APPS is not a valid 公众号 or 网站应用 AppID",
  40125: "the secret in WECHAT_APPS is wrong for this appid: copy the AppSecret again from mp.weixin.qq.com (公众号: 设置与开发 → 基本配置) or open.weixin.qq.com (网站应用)",
};

const NOTABLE_ERRCODES: Record<number, string> = {
  40014: "WeChat calls the access token it hands out illegal; not forcing a new one for that",
  45009: "a daily quota is spent until midnight, Beijing time",
};

type RejectedCode = "wechat_code_invalid" | "wechat_code_used" | "wechat_code_blocked";

// WeChat's answers about the code the mini-program sent; in each case it must get a new code.
const rejectedCodes: Record<number, RejectedCode> = {
  40029: "wechat_code_invalid",
  40163: "wechat_code_used",
  40226: "wechat_code_blocked",
};

// On getuserphonenumber our appid is already proven by the access token, so 40013 means the phone
// code was issued to another appid (wechat_code_wrong_app): the mini-program sent a code that isn't ours.
function isUserInput(errcode: number, api: WechatApi): boolean {
  return errcode === 40013 && api === "getuserphonenumber";
}

// codeField names the request field whose code WeChat judged, for field-level 400s.
export function apiFailureForWechatError(error: WechatError, codeField: string): ApiFailure {
  if (error instanceof WechatNetworkError) return error.timedOut ? failures.wechatTimeout() : failures.wechatUnavailable();
  if (error instanceof WechatAccessTokenUnavailableError) {
    return error.reason === "refreshing" ? failures.wechatAccessTokenRefreshing() : failures.wechatAccessTokenBudgetSpent();
  }
  if (!(error instanceof WechatErrcodeError)) return failures.wechatUnavailable();
  if (isUserInput(error.errcode, error.api)) return failures.wechatCodeRejected(codeField, "wechat_code_wrong_app");
  const rejected = rejectedCodes[error.errcode];
  if (rejected) return failures.wechatCodeRejected(codeField, rejected);
  if (error.errcode === 45011) return failures.wechatRateLimited();
  if (CONFIGURATION_FAILURES[error.errcode]) return failures.wechatMisconfigured();
  return failures.wechatUnavailable();
}
