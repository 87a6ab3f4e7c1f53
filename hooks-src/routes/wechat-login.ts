import { signIn } from "../account/sign-in";
import { auditRequest } from "../audit/audit";
import { auditLoginFailure } from "../audit/login-failures";
import { failures } from "../errors";
import { sendAuthResponse } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import { readLoginRequest } from "../validation";
import type { WechatSession } from "../wechat/client";
import { WechatErrcodeError } from "../wechat/errors";
import { claimLoginCode } from "../wechat/login-code-claims";
import { wechatClientFromEnvironment } from "../wechat/wechat";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let session: WechatSession | undefined;
      try {
        const { wechatCode, cancelDeletion } = readLoginRequest(readJsonObjectBody(e));
        const wechat = wechatClientFromEnvironment();
        const claim = claimLoginCode(wechatCode);
        if (!claim) throw failures.duplicateLoginCode();
        try {
          session = wechat.codeToSession(wechatCode);
        } catch (error) {
          // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
          if (!(error instanceof WechatErrcodeError)) claim.release();
          throw error;
        }
        const { user, created, deletionCancelled } = signIn(session, { mayCancelDeletion: cancelDeletion });
        const info = userInfoOf(user);
        sendAuthResponse(e, user, "wechat", {
          code: 200,
          msg: created ? "注册成功" : deletionCancelled ? "登录成功,已撤销账号注销" : "登录成功",
          data: {
            status: created ? "register_success" : "login_success",
            is_info_complete: isInfoComplete(info),
            deletion_cancelled: deletionCancelled,
            user: info,
          },
        });
        auditRequest(e, created ? "registration" : "login", info);
        if (deletionCancelled) auditRequest(e, "deletion_cancelled", info);
      } catch (error) {
        auditLoginFailure(e, error, session);
        throw error;
      }
    },
    "users_wx_code",
  );
}
