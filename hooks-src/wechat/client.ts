// WeChat's mini-program server API: code2Session for login, getuserphonenumber for the
// profile. Every call has the timeout; session_key is dropped the moment it arrives.
import { storeAccessTokenCache, type AccessTokenCache } from "./access-token-cache";
import { WechatErrcodeError, WechatHttpStatusError, WechatUnreadableResponseError } from "./errors";
import { sendWithPocketBase, type SendWechatRequest, type WechatHttpRequest } from "./transport";

export interface WechatClientOptions {
  appId: string;
  secret: string;
  baseUrl: string;
  timeoutSeconds: number;
  send?: SendWechatRequest;
  accessTokens?: AccessTokenCache;
}

export interface WechatSession {
  openid: string;
  unionid: string;
}

export interface WechatClient {
  codeToSession(loginCode: string): WechatSession;
  getPhoneNumber(phoneCode: string): string;
  // Any other access-token API (content security): POSTs body as JSON to path with the
  // cached token, retried once with a fresh one when WeChat says the token is stale.
  postWithAccessToken(path: string, body: object): Record<string, unknown>;
}

// errcodes that mean "this access token is no good": refresh it and retry once.
const STALE_ACCESS_TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

type JsonObject = Record<string, unknown>;

export function createWechatClient(options: WechatClientOptions): WechatClient {
  const { appId, secret, timeoutSeconds } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const send = options.send ?? sendWithPocketBase;
  const accessTokens = options.accessTokens ?? storeAccessTokenCache();

  function call(request: Omit<WechatHttpRequest, "timeoutSeconds">): JsonObject {
    const response = send({ ...request, timeoutSeconds });
    if (response.statusCode !== 200) throw new WechatHttpStatusError(response.statusCode);
    const answer = parseJsonObject(response.body);
    const errcode = answer.errcode;
    if (errcode !== undefined && errcode !== 0) {
      throw new WechatErrcodeError(typeof errcode === "number" ? errcode : NaN, String(answer.errmsg ?? ""));
    }
    return answer;
  }

  function fetchAccessToken(forceRefresh: boolean): string {
    const answer = call({
      method: "POST",
      url: `${baseUrl}/cgi-bin/stable_token`,
      body: JSON.stringify({ grant_type: "client_credential", appid: appId, secret, force_refresh: forceRefresh }),
    });
    const token = answer.access_token;
    const expiresIn = answer.expires_in;
    if (typeof token !== "string" || token === "" || typeof expiresIn !== "number" || !(expiresIn > 0)) {
      throw new WechatUnreadableResponseError("stable_token answered without a usable access_token");
    }
    accessTokens.set(token, expiresIn);
    return token;
  }

  function currentAccessToken(): string {
    return accessTokens.get() ?? fetchAccessToken(false);
  }

  // After WeChat rejects a token: use one another VM already fetched, else ask for the
  // current stable token, and force a new one only if WeChat hands back the rejected one.
  // Forcing first would invalidate tokens that other VMs are using right now.
  function replacementAccessToken(rejected: string): string {
    accessTokens.discard(rejected);
    const shared = accessTokens.get();
    if (shared && shared !== rejected) return shared;
    const current = fetchAccessToken(false);
    return current !== rejected ? current : fetchAccessToken(true);
  }

  function requestPhoneNumber(accessToken: string, phoneCode: string): JsonObject {
    return call({
      method: "POST",
      url: `${baseUrl}/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(accessToken)}`,
      body: JSON.stringify({ code: phoneCode }),
    });
  }

  function postWithAccessToken(path: string, body: object): JsonObject {
    const post = (accessToken: string) =>
      call({ method: "POST", url: `${baseUrl}${path}?access_token=${encodeURIComponent(accessToken)}`, body: JSON.stringify(body) });
    const accessToken = currentAccessToken();
    try {
      return post(accessToken);
    } catch (error) {
      if (!(error instanceof WechatErrcodeError && STALE_ACCESS_TOKEN_ERRCODES.has(error.errcode))) throw error;
      return post(replacementAccessToken(accessToken));
    }
  }

  return {
    postWithAccessToken,
    codeToSession(loginCode) {
      const query = `appid=${encodeURIComponent(appId)}&secret=${encodeURIComponent(secret)}&js_code=${encodeURIComponent(loginCode)}&grant_type=authorization_code`;
      const answer = call({ method: "GET", url: `${baseUrl}/sns/jscode2session?${query}` });
      if (typeof answer.openid !== "string" || answer.openid === "") {
        throw new WechatUnreadableResponseError("code2Session answered without an openid");
      }
      return { openid: answer.openid, unionid: typeof answer.unionid === "string" ? answer.unionid : "" };
    },

    getPhoneNumber(phoneCode) {
      const accessToken = currentAccessToken();
      let answer: JsonObject;
      try {
        answer = requestPhoneNumber(accessToken, phoneCode);
      } catch (error) {
        if (!(error instanceof WechatErrcodeError && STALE_ACCESS_TOKEN_ERRCODES.has(error.errcode))) throw error;
        answer = requestPhoneNumber(replacementAccessToken(accessToken), phoneCode);
      }
      return readPhoneNumber(answer, appId);
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

// Mainland numbers are stored without the country code, as WeChat's purePhoneNumber;
// others keep it (phoneNumber). The watermark must name our own appid.
function readPhoneNumber(answer: JsonObject, appId: string): string {
  const info = answer.phone_info;
  if (typeof info !== "object" || info === null) throw new WechatUnreadableResponseError("no phone_info");
  const { phoneNumber, purePhoneNumber, countryCode, watermark } = info as JsonObject;
  if (typeof watermark !== "object" || watermark === null || (watermark as JsonObject).appid !== appId) {
    throw new WechatUnreadableResponseError("phone_info watermark is not for this appid");
  }
  const phone = countryCode === "86" ? purePhoneNumber : phoneNumber;
  if (typeof phone !== "string" || !/^\+?[0-9][0-9 -]{3,24}$/.test(phone)) {
    throw new WechatUnreadableResponseError("phone_info holds no phone number");
  }
  return phone;
}
