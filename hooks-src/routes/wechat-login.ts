import { signIn } from "../account/sign-in";
import { auditRequest } from "../audit/audit";
import { auditLoginFailure } from "../audit/login-failures";
import { sendAuthResponse } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer } from "../http/responses";
import type { SigningIn } from "../identities/resolution";
import { findUsableInvite } from "../registration/invites";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import { readLoginRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { apiFailureForWechatError, WechatErrcodeError } from "../wechat/errors";
import { claimLoginCode } from "../wechat/login-code-claims";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

const LOGIN_CODE_FIELD = "users_wx_code";
const LOGIN_ROUTE = "/api/wechat/login";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let signingIn: SigningIn | undefined;
      try {
        const { wechatCode, cancelDeletion, appId, inviteCode } = readLoginRequest(readJsonObjectBody(e));
        const app = appForLogin(wechatApps(), appId, ["miniprogram"]);
        const wechat = wechatClientFor(app);
        const invite = inviteCode === undefined ? undefined : findUsableInvite($app, inviteCode);
        const origin = { route: LOGIN_ROUTE, ip: e.realIP() };
        const claim = claimLoginCode(wechatCode);
        try {
          signingIn = { app, ...wechat.codeToSession(wechatCode), invite, origin };
        } catch (error) {
          // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
          if (error instanceof WechatErrcodeError) claim.remember(apiFailureForWechatError(error, LOGIN_CODE_FIELD));
          else claim.release();
          throw error;
        }
        const { user, outcome, created, deletionCancelled, unionidHeldBy } = signIn(signingIn, { mayCancelDeletion: cancelDeletion });
        const info = userInfoOf(user);
        sendAuthResponse(e, user, "wechat", {
          code: 200,
          msg: created ? "注册成功" : deletionCancelled ? "登录成功,已撤销账号注销" : "登录成功",
          data: {
            status: created ? "register_success" : outcome === "linked" ? "linked" : "login_success",
            is_info_complete: isInfoComplete(info),
            deletion_cancelled: deletionCancelled,
            user: info,
          },
        });
        auditRequest(e, created ? "registration" : outcome === "linked" ? "identity_linked" : "login", user, { appid: app.appId });
        if (deletionCancelled) auditRequest(e, "deletion_cancelled", user);
        if (unionidHeldBy) auditRequest(e, "unionid_conflict", user, { appid: app.appId, other_pb_id: unionidHeldBy });
      } catch (error) {
        auditLoginFailure(e, error, signingIn);
        throw error;
      }
    },
    LOGIN_CODE_FIELD,
  );
}
