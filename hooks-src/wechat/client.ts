// WeChat's server API: code2Session for a mini-program's login, getuserphonenumber for the
// profile, getuserriskrank at a mini-program's registration, and 网页授权 (sns/oauth2/access_token,
// sns/userinfo) for a 公众号 H5 or website login. Every call has the timeout; session_key and the
// 网页授权 refresh_token are dropped the moment they arrive.
import { redact } from "../log";
import { storeAccessTokenCache, type AccessTokenCache } from "./access-token-cache";
import { WechatAccessTokenUnavailableError, WechatErrcodeError, WechatHttpStatusError, WechatUnreadableResponseError, type WechatApi } from "./errors";
import { DEFAULT_DAILY_FORCED_REFRESH_BUDGET, FEW_FORCED_REFRESHES_LEFT, storeForcedRefreshGate, type ForcedRefreshGate } from "./forced-refresh";
import { sendWithPocketBase, type SendWechatRequest, type WechatHttpRequest } from "./transport";

export interface OpsLog {
  warn(message: string): void;
  error(message: string): void;
}

export interface WechatClientOptions {
  appId: string;
  secret: string;
  baseUrl: string;
  timeoutSeconds: number;
  forcedRefreshDailyBudget?: number;
  send?: SendWechatRequest;
  accessTokens?: AccessTokenCache;
  forcedRefreshes?: ForcedRefreshGate;
  // A VM waiting for another one's forced refresh polls the store: goja has no blocking wait.
  sleep?: (milliseconds: number) => void;
  now?: () => number;
  log?: OpsLog;
}

// Who logged in, as code2Session tells it.
export interface WechatSession {
  openid: string;
  unionid: string;
}

// Who signed in on a web page, as sns/oauth2/access_token tells it.
export interface WebAuthorization {
  openid: string;
  unionid: string;
  // snsapi_base, snsapi_userinfo, snsapi_login: what the user granted.
  scopes: string[];
  // A 朋友圈 snapshot page's virtual account (is_snapshotuser 1): not a real user.
  snapshotUser: boolean;
  // The user's own 网页授权 access token, for webUserInfo in the same request: never stored,
  // logged or answered.
  snsAccessToken: string;
}

export interface WechatClient {
  codeToSession(loginCode: string): WechatSession;
  webCodeToAccessToken(webCode: string): WebAuthorization;
  // sns/userinfo, of which only the unionid is kept: nickname and avatar are the user's to give
  // through the profile.
  webUserInfo(snsAccessToken: string, openid: string): WechatSession;
  getPhoneNumber(phoneCode: string): string;
  // The user's risk rank, 0 (none) to 4 (highly suspicious), for a registration (scene 0).
  getUserRiskRank(request: { openid: string; clientIp: string }): number;
  // Another access-token API (content security): POSTs body as JSON with the cached token and
  // the same policy as the phone call when WeChat rejects the token.
  postWithAccessToken(api: Exclude<AccessTokenApi, "getuserphonenumber" | "getuserriskrank">, body: object): Record<string, unknown>;
}

// The APIs called with an access token, and where they are.
type AccessTokenApi = Extract<WechatApi, "getuserphonenumber" | "msg_sec_check" | "media_check_async" | "getuserriskrank">;
const ACCESS_TOKEN_API_PATHS: Record<AccessTokenApi, string> = {
  getuserphonenumber: "/wxa/business/getuserphonenumber",
  msg_sec_check: "/wxa/msg_sec_check",
  media_check_async: "/wxa/media_check_async",
  getuserriskrank: "/wxa/getuserriskrank",
};

// errcodes that mean "this access token is no good": 40001 invalid or replaced, 42001 expired,
// 40014 illegal. Only the first two can be cured by forcing a new token (see getPhoneNumber).
const STALE_ACCESS_TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
const ILLEGAL_ACCESS_TOKEN = 40014;
const DAILY_QUOTA_REACHED = 45009;
const WAIT_POLL_MS = 50;

type JsonObject = Record<string, unknown>;

const pocketBaseLog: OpsLog = {
  warn: (message) => $app.logger().warn(redact(message)),
  error: (message) => $app.logger().error(redact(message)),
};

export function createWechatClient(options: WechatClientOptions): WechatClient {
  const { appId, secret, timeoutSeconds } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const send = options.send ?? sendWithPocketBase;
  const accessTokens = options.accessTokens ?? storeAccessTokenCache(undefined, undefined, appId);
  // A forced refresh holds the claim for at most its own timeout, plus a second of slack.
  const forcedRefreshWindowMs = (timeoutSeconds + 1) * 1000;
  const forcedRefreshes =
    options.forcedRefreshes ??
    storeForcedRefreshGate(options.forcedRefreshDailyBudget ?? DEFAULT_DAILY_FORCED_REFRESH_BUDGET, forcedRefreshWindowMs, undefined, undefined, appId);
  const pause = options.sleep ?? ((milliseconds: number) => sleep(milliseconds));
  const now = options.now ?? Date.now;
  const log = options.log ?? pocketBaseLog;

  function call(api: WechatApi, request: Omit<WechatHttpRequest, "timeoutSeconds">): JsonObject {
    const response = send({ ...request, timeoutSeconds });
    if (response.statusCode !== 200) throw new WechatHttpStatusError(response.statusCode);
    const answer = parseJsonObject(response.body);
    const errcode = answer.errcode;
    if (errcode !== undefined && errcode !== 0) {
      throw new WechatErrcodeError(typeof errcode === "number" ? errcode : NaN, String(answer.errmsg ?? ""), api);
    }
    return answer;
  }

  function requestAccessToken(forceRefresh: boolean): { token: string; expiresIn: number } {
    const answer = call("stable_token", {
      method: "POST",
      url: `${baseUrl}/cgi-bin/stable_token`,
      body: JSON.stringify({ grant_type: "client_credential", appid: appId, secret, force_refresh: forceRefresh }),
    });
    const token = answer.access_token;
    const expiresIn = answer.expires_in;
    if (typeof token !== "string" || token === "" || typeof expiresIn !== "number" || !(expiresIn > 0)) {
      throw new WechatUnreadableResponseError("stable_token answered without a usable access_token");
    }
    return { token, expiresIn };
  }

  function fetchAccessToken(): string {
    const { token, expiresIn } = requestAccessToken(false);
    accessTokens.set(token, expiresIn);
    return token;
  }

  const tokenOtherThan = (rejected: string) => {
    const shared = accessTokens.get();
    return shared !== undefined && shared !== rejected ? shared : undefined;
  };

  // After WeChat rejects a token: one another VM already fetched, else WeChat's current stable
  // token, which may be the rejected one again.
  function replacementAccessToken(rejected: string): string {
    accessTokens.discard(rejected);
    return tokenOtherThan(rejected) ?? fetchAccessToken();
  }

  // WeChat keeps rejecting the token it keeps handing out. One VM forces a new one; the others
  // wait for it, and nobody forces again within 30 s or past the day's budget.
  function forcedAccessToken(rejected: string): string {
    const decision = forcedRefreshes.claim();
    if (decision.kind === "go") return forceRefresh(rejected, decision.usedToday);
    if (decision.kind === "in-flight") return awaitForcedRefresh(rejected, decision.untilMs);
    if (decision.kind === "too-soon") {
      const newer = tokenOtherThan(rejected);
      if (newer) return newer;
      throw new WechatAccessTokenUnavailableError("refreshing");
    }
    if (decision.firstRefusal) {
      log.error(
        `WeChat keeps rejecting its current access token and today's ${forcedRefreshes.dailyBudget} forced refreshes are spent: ` +
          "phone-number calls answer 503 until WeChat accepts the token or midnight, Beijing time",
      );
    }
    throw new WechatAccessTokenUnavailableError("budget-spent");
  }

  function forceRefresh(rejected: string, usedToday: number): string {
    try {
      const { token, expiresIn } = requestAccessToken(true);
      if (token === rejected) throw new WechatAccessTokenUnavailableError("refreshing"); // WeChat's 30 s rule: not refreshed
      accessTokens.replaceForcedAway(rejected, token, expiresIn);
      const left = forcedRefreshes.dailyBudget - usedToday;
      const report = `WeChat rejected its own current access token twice; forced a new one (${usedToday} of ${forcedRefreshes.dailyBudget} forced refreshes allowed today`;
      if (left <= FEW_FORCED_REFRESHES_LEFT) log.error(`${report}, only ${left} left: then phone-number calls answer 503 until midnight, Beijing time)`);
      else log.warn(`${report})`);
      return token;
    } catch (error) {
      if (error instanceof WechatErrcodeError && error.errcode === DAILY_QUOTA_REACHED) {
        forcedRefreshes.dailyCapReached();
        log.error("WeChat refused to force a new access token: its daily cap of forced refreshes is reached (45009); is another service forcing with this appid?");
        throw new WechatAccessTokenUnavailableError("budget-spent");
      }
      throw error;
    } finally {
      forcedRefreshes.finish();
    }
  }

  function awaitForcedRefresh(rejected: string, untilMs: number): string {
    while (now() < untilMs) {
      const newer = tokenOtherThan(rejected);
      if (newer) return newer;
      if (!forcedRefreshes.isInFlight()) break;
      pause(WAIT_POLL_MS);
    }
    const newer = tokenOtherThan(rejected);
    if (newer) return newer;
    throw new WechatAccessTokenUnavailableError("refreshing");
  }

  function requestWithAccessToken(api: AccessTokenApi, accessToken: string, body: object): JsonObject {
    return call(api, {
      method: "POST",
      url: `${baseUrl}${ACCESS_TOKEN_API_PATHS[api]}?access_token=${encodeURIComponent(accessToken)}`,
      body: JSON.stringify(body),
    });
  }

  // The answer, or the errcode error when WeChat rejected the access token.
  function tryWithAccessToken(api: AccessTokenApi, accessToken: string, body: object): JsonObject | WechatErrcodeError {
    try {
      return requestWithAccessToken(api, accessToken, body);
    } catch (error) {
      if (error instanceof WechatErrcodeError && STALE_ACCESS_TOKEN_ERRCODES.has(error.errcode)) return error;
      throw error;
    }
  }

  // A rejected token is replaced by a newer one if there is one. Forcing one would invalidate the
  // token other VMs are using and spend one of WeChat's 20 a day, so when WeChat hands back the
  // very token it rejected, it is taken at its word: the rejection looks spurious (WeChat is
  // known to answer 40001 now and then for valid tokens) and the call is tried once more with
  // it. Only a second rejection forces a new token, and never for 40014: WeChat calling its own
  // current token illegal is not cured by replacing it (as WxJava and chanxuehong/wechat, which
  // never force for it).
  function answerWithAccessToken(api: AccessTokenApi, body: object): JsonObject {
    const accessToken = accessTokens.get() ?? fetchAccessToken();
    const first = tryWithAccessToken(api, accessToken, body);
    if (!(first instanceof WechatErrcodeError)) return first;
    const replacement = replacementAccessToken(accessToken);
    if (replacement !== accessToken) return requestWithAccessToken(api, replacement, body);
    const second = tryWithAccessToken(api, accessToken, body);
    if (!(second instanceof WechatErrcodeError)) return second;
    if (second.errcode === ILLEGAL_ACCESS_TOKEN) throw second;
    return requestWithAccessToken(api, forcedAccessToken(accessToken), body);
  }

  return {
    postWithAccessToken: answerWithAccessToken,
    codeToSession(loginCode) {
      const query = `appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(secret)}&js_code=${encodeURIComponent(loginCode)}&grant_type=authorization_code`;
      const answer = call("jscode2session", { method: "GET", url: `${baseUrl}/sns/jscode2session?${query}` });
      if (typeof answer.openid !== "string" || answer.openid === "") {
        throw new WechatUnreadableResponseError("code2Session answered without an openid");
      }
      return { openid: answer.openid, unionid: typeof answer.unionid === "string" ? answer.unionid : "" };
    },
    getPhoneNumber(phoneCode) {
      return readPhoneNumber(answerWithAccessToken("getuserphonenumber", { code: phoneCode }), appId);
    },
    getUserRiskRank({ openid, clientIp }) {
      const rank = answerWithAccessToken("getuserriskrank", { appid: appId, openid, scene: 0, client_ip: clientIp }).risk_rank;
      if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 0 || rank > 4) throw new WechatUnreadableResponseError("getuserriskrank answered without a risk_rank of 0 to 4");
      return rank;
    },
    webCodeToAccessToken(webCode) {
      const query = `appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(secret)}&code=${encodeURIComponent(webCode)}&grant_type=authorization_code`;
      const answer = call("sns_oauth2_access_token", { method: "GET", url: `${baseUrl}/sns/oauth2/access_token?${query}` });
      const { openid, access_token: snsAccessToken, scope } = answer;
      if (typeof openid !== "string" || openid === "" || typeof snsAccessToken !== "string" || snsAccessToken === "") {
        throw new WechatUnreadableResponseError("sns/oauth2/access_token answered without an openid and access_token");
      }
      return {
        openid,
        unionid: typeof answer.unionid === "string" ? answer.unionid : "",
        scopes: typeof scope === "string" ? scope.split(",").map((part) => part.trim()).filter(Boolean) : [],
        snapshotUser: answer.is_snapshotuser === 1,
        snsAccessToken,
      };
    },
    webUserInfo(snsAccessToken, openid) {
      const query = `access_token=${encodeURIComponent(snsAccessToken)}&openid=${encodeURIComponent(openid)}&lang=zh_CN`;
      const answer = call("sns_userinfo", { method: "GET", url: `${baseUrl}/sns/userinfo?${query}` });
      if (answer.openid !== openid) throw new WechatUnreadableResponseError("sns/userinfo answered for another openid");
      return { openid, unionid: typeof answer.unionid === "string" ? answer.unionid : "" };
    },
  };
}

function parseJsonObject(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new WechatUnreadableResponseError("not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new WechatUnreadableResponseError("not a JSON object");
  }
  return parsed as JsonObject;
}

// Mainland numbers are stored without the country code, as WeChat's purePhoneNumber (11
// digits); others as +<countryCode><purePhoneNumber>, one spelling whatever spacing WeChat's
// phoneNumber has, so that a phone login finds the number staff typed, and a foreign number
// never equals a mainland one. countryCode comes as "86" or 86: WeChat's own documentation shows
// both. The watermark must name our own appid.
function readPhoneNumber(answer: JsonObject, appId: string): string {
  const info = answer.phone_info;
  if (typeof info !== "object" || info === null) throw new WechatUnreadableResponseError("no phone_info");
  const { phoneNumber, purePhoneNumber, countryCode, watermark } = info as JsonObject;
  if (typeof watermark !== "object" || watermark === null || (watermark as JsonObject).appid !== appId) {
    throw new WechatUnreadableResponseError("phone_info watermark is not for this appid");
  }
  const country = typeof countryCode === "number" ? String(countryCode) : countryCode;
  const phone =
    country === "86"
      ? purePhoneNumber
      : typeof country === "string" && /^[0-9]{1,4}$/.test(country) && typeof purePhoneNumber === "string" && /^[0-9]+$/.test(purePhoneNumber)
        ? `+${country}${purePhoneNumber}`
        : typeof phoneNumber === "string" ? phoneNumber.replace(/[ -]/g, "") : undefined;
  if (typeof phone !== "string" || !/^\+?[0-9]{4,24}$/.test(phone)) {
    throw new WechatUnreadableResponseError("phone_info holds no phone number");
  }
  return phone;
}
