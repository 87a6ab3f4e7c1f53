// Phone-number login: one tap gives a login code and a phone code. WeChat's phone call is billed,
// so it comes after every check we can make without it: the body (consents included), the appid,
// the invite, the login code's claim, code2Session, and the status of an account we already know.
// A registration runs the same steps as /login's (login-records.ts: consents, the risk rank).
import { loginRecords } from "../account/login-records";
import { refusalBeforePhoneCall } from "../account/sign-in";
import { signInAndAnswer } from "../account/sign-in-answer";
import { auditLoginFailure } from "../audit/login-failures";
import { readLoginConsents } from "../consents/consents";
import { readJsonObjectBody } from "../http/request";
import { clientIpOf } from "../http/request-memo";
import { answer } from "../http/responses";
import type { SigningIn } from "../identities/resolution";
import { findUsableInvite } from "../registration/invites";
import { readPhoneLoginRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import type { WechatClient } from "../wechat/client";
import { apiFailureForWechatError, WechatErrcodeError } from "../wechat/errors";
import { miniProgramSignIn } from "../wechat/mini-program-login";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

export const PHONE_LOGIN_ROUTE = "/api/wechat/phone-login";
const LOGIN_CODE_FIELD = "users_wx_code";
const PHONE_CODE_FIELD = "users_phone_code";

export function phoneLogin(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let signingIn: SigningIn | undefined;
      try {
        const body = readJsonObjectBody(e);
        const request = readPhoneLoginRequest(body);
        const consents = readLoginConsents(body);
        const app = appForLogin(wechatApps(), request.appId, ["miniprogram"]);
        const records = loginRecords(e, consents, app);
        const wechat = wechatClientFor(app);
        const invite = request.inviteCode === undefined ? undefined : findUsableInvite($app, request.inviteCode);
        const session = miniProgramSignIn(wechat, request.wechatCode, LOGIN_CODE_FIELD);
        signingIn = { app, ...session, invite, origin: { route: PHONE_LOGIN_ROUTE, ip: clientIpOf(e) } };
        const refusal = refusalBeforePhoneCall(signingIn, { mayCancelDeletion: request.cancelDeletion });
        if (refusal) throw refusal;
        signingIn.phone = verifiedPhoneNumber(wechat, request.phoneCode);
        signInAndAnswer(e, signingIn, records, { mayCancelDeletion: request.cancelDeletion });
      } catch (error) {
        auditLoginFailure(e, error, signingIn);
        throw error;
      }
    },
    LOGIN_CODE_FIELD,
  );
}

// WeChat's verdict on the phone code is a problem of that field, not of the login code's.
function verifiedPhoneNumber(wechat: WechatClient, phoneCode: string): string {
  try {
    return wechat.getPhoneNumber(phoneCode);
  } catch (error) {
    if (error instanceof WechatErrcodeError) {
      const failure = apiFailureForWechatError(error, PHONE_CODE_FIELD);
      if (failure.status === 400) throw failure;
    }
    throw error;
  }
}
