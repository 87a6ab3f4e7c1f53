// Who signed in on a web page (公众号 H5, 网站应用 扫码登录), from the 网页授权 code the page came
// back with. The code is claimed like a mini-program's (login-code-claims.ts). sns/userinfo is
// asked for the unionid only when the token's answer lacks one and the user granted userinfo
// (snsapi_userinfo, or a website's snsapi_login). A silent snsapi_base login can't bring a
// unionid, so it may only find a user, never register one (identities/resolution.ts). A snapshot
// page's virtual account is refused before anything is looked up or written.
import { failures } from "../errors";
import type { WechatClient } from "./client";
import { apiFailureForWechatError, WechatErrcodeError } from "./errors";
import { claimLoginCode } from "./login-code-claims";

const SCOPES_GRANTING_USERINFO = ["snsapi_userinfo", "snsapi_login"];
// The request field the code came in, which WeChat's verdict on it names.
export const WEB_CODE_FIELD = "code";

export function grantsUserInfo(scopes: readonly string[]): boolean {
  return scopes.some((scope) => SCOPES_GRANTING_USERINFO.includes(scope));
}

export interface WebSignIn {
  openid: string;
  unionid: string;
  mayRegister: boolean;
}

export function webSignIn(wechat: Pick<WechatClient, "webCodeToAccessToken" | "webUserInfo">, webCode: string, store?: store.Store<string, any>): WebSignIn {
  const claim = claimLoginCode(webCode, store);
  let authorization;
  try {
    authorization = wechat.webCodeToAccessToken(webCode);
  } catch (error) {
    // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
    if (error instanceof WechatErrcodeError) claim.remember(apiFailureForWechatError(error, WEB_CODE_FIELD));
    else claim.release();
    throw error;
  }
  if (authorization.snapshotUser) throw failures.snapshotUser();
  const userInfoGranted = grantsUserInfo(authorization.scopes);
  let unionid = authorization.unionid;
  if (unionid === "" && userInfoGranted) unionid = wechat.webUserInfo(authorization.snsAccessToken, authorization.openid).unionid;
  return { openid: authorization.openid, unionid, mayRegister: unionid !== "" || userInfoGranted };
}
