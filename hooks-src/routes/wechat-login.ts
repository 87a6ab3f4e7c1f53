import { loginRecords } from "../account/login-records";
import { signInAndAnswer } from "../account/sign-in-answer";
import { auditLoginFailure } from "../audit/login-failures";
import { readLoginConsents } from "../consents/consents";
import { readJsonObjectBody } from "../http/request";
import { clientIpOf } from "../http/request-memo";
import { answer } from "../http/responses";
import type { SigningIn } from "../identities/resolution";
import { findUsableInvite } from "../registration/invites";
import { readLoginRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { miniProgramSignIn } from "../wechat/mini-program-login";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

const LOGIN_CODE_FIELD = "users_wx_code";
const LOGIN_ROUTE = "/api/wechat/login";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let signingIn: SigningIn | undefined;
      try {
        const body = readJsonObjectBody(e);
        const { wechatCode, cancelDeletion, appId, inviteCode } = readLoginRequest(body);
        const consents = readLoginConsents(body);
        const app = appForLogin(wechatApps(), appId, ["miniprogram"]);
        const invite = inviteCode === undefined ? undefined : findUsableInvite($app, inviteCode);
        const origin = { route: LOGIN_ROUTE, ip: clientIpOf(e) };
        const records = loginRecords(e, consents, app);
        signingIn = { app, ...miniProgramSignIn(wechatClientFor(app), wechatCode, LOGIN_CODE_FIELD), invite, origin };
        signInAndAnswer(e, signingIn, records, { mayCancelDeletion: cancelDeletion });
      } catch (error) {
        auditLoginFailure(e, error, signingIn);
        throw error;
      }
    },
    LOGIN_CODE_FIELD,
  );
}
