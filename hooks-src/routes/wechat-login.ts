import { signIn } from "../account/sign-in";
import { audit, userRequest } from "../audit/audit";
import { auditLoginFailure } from "../audit/login-failures";
import { failures } from "../errors";
import { readJsonObjectBody } from "../http/request";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import { profileOf, type WechatIdentity } from "../users/users";
import { readLoginRequest } from "../validation";
import { claimLoginCode } from "../wechat/login-code-claims";
import { wechatClientFromEnvironment } from "../wechat/wechat";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      let identity: WechatIdentity | undefined;
      try {
        const { wechatCode } = readLoginRequest(readJsonObjectBody(e));
        const wechat = wechatClientFromEnvironment();
        if (!claimLoginCode(wechatCode)) throw failures.duplicateLoginCode();
        identity = wechat.codeToSession(wechatCode);
        const { user, created, deletionCancelled } = signIn(identity);
        $apis.recordAuthResponse(e, user, "wechat", {
          code: 200,
          msg: created ? "注册成功" : deletionCancelled ? "登录成功,已撤销账号注销" : "登录成功",
          data: {
            status: created ? "register_success" : "login_success",
            is_info_complete: isInfoComplete(profileOf(user)),
            deletion_cancelled: deletionCancelled,
            user: userInfoOf(user),
          },
        });
        audit(created ? "registration" : "login", user, userRequest(e));
        if (deletionCancelled) audit("deletion_cancelled", user, userRequest(e));
      } catch (error) {
        auditLoginFailure(e, error, identity);
        throw error;
      }
    },
    "users_wx_code",
  );
}
