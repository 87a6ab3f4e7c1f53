// Who signed in on a mini-program, from its wx.login code. The code is claimed first
// (login-code-claims.ts): a replay within 10 s gets the answer WeChat's errcode gave, and a
// failure in transit releases it for an immediate retry.
import type { WechatClient, WechatSession } from "./client";
import { apiFailureForWechatError, WechatErrcodeError } from "./errors";
import { claimLoginCode } from "./login-code-claims";

export function miniProgramSignIn(wechat: Pick<WechatClient, "codeToSession">, loginCode: string, codeField: string, store?: store.Store<string, any>): WechatSession {
  const claim = claimLoginCode(loginCode, store);
  try {
    return wechat.codeToSession(loginCode);
  } catch (error) {
    // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
    if (error instanceof WechatErrcodeError) claim.remember(apiFailureForWechatError(error, codeField));
    else claim.release();
    throw error;
  }
}
