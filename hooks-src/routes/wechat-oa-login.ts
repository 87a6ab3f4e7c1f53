// 公众号 H5 and website login: a 网页授权 code → the same sign-in and answer as a mini-program's.
import { loginRecords } from "../account/login-records";
import { signInAndAnswer } from "../account/sign-in-answer";
import { auditLoginFailure } from "../audit/login-failures";
import { readLoginConsents } from "../consents/consents";
import { readJsonObjectBody } from "../http/request";
import { clientIpOf } from "../http/request-memo";
import { answer } from "../http/responses";
import type { SigningIn } from "../identities/resolution";
import { readWebLoginRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { WEB_CODE_FIELD, webSignIn } from "../wechat/web-login";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

const OA_LOGIN_ROUTE = "/api/wechat/oa/login";

export function oaLogin(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let signingIn: SigningIn | undefined;
      try {
        const body = readJsonObjectBody(e);
        const { webCode, appId, cancelDeletion } = readWebLoginRequest(body);
        const consents = readLoginConsents(body);
        const app = appForLogin(wechatApps(), appId, ["official_account", "website"]);
        const records = loginRecords(e, consents, app);
        signingIn = { app, ...webSignIn(wechatClientFor(app), webCode), origin: { route: OA_LOGIN_ROUTE, ip: clientIpOf(e) } };
        signInAndAnswer(e, signingIn, records, { mayCancelDeletion: cancelDeletion });
      } catch (error) {
        auditLoginFailure(e, error, signingIn, WEB_CODE_FIELD);
        throw error;
      }
    },
    WEB_CODE_FIELD,
  );
}
