import { signInAndAnswer } from "../account/sign-in-answer";
import { auditLoginFailure } from "../audit/login-failures";
import { readJsonObjectBody } from "../http/request";
import { answer } from "../http/responses";
import type { SigningIn } from "../identities/resolution";
import { readLoginRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { apiFailureForWechatError, WechatErrcodeError } from "../wechat/errors";
import { claimLoginCode } from "../wechat/login-code-claims";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

const LOGIN_CODE_FIELD = "users_wx_code";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let signingIn: SigningIn | undefined;
      try {
        const { wechatCode, cancelDeletion, appId } = readLoginRequest(readJsonObjectBody(e));
        const app = appForLogin(wechatApps(), appId, ["miniprogram"]);
        const wechat = wechatClientFor(app);
        const claim = claimLoginCode(wechatCode);
        try {
          signingIn = { app, ...wechat.codeToSession(wechatCode) };
        } catch (error) {
          // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
          if (error instanceof WechatErrcodeError) claim.remember(apiFailureForWechatError(error, LOGIN_CODE_FIELD));
          else claim.release();
          throw error;
        }
        signInAndAnswer(e, signingIn, { mayCancelDeletion: cancelDeletion });
      } catch (error) {
        auditLoginFailure(e, error, signingIn);
        throw error;
      }
    },
    LOGIN_CODE_FIELD,
  );
}
