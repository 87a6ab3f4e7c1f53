import { failures } from "../errors";
import { sendAuthResponse } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import { findOrCreateUser, profileOf } from "../users/users";
import { readLoginRequest } from "../validation";
import { WechatErrcodeError } from "../wechat/errors";
import { claimLoginCode } from "../wechat/login-code-claims";
import { wechatClientFromEnvironment } from "../wechat/wechat";

export function login(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      const { wechatCode } = readLoginRequest(readJsonObjectBody(e));
      const wechat = wechatClientFromEnvironment();
      const claim = claimLoginCode(wechatCode);
      if (!claim) throw failures.duplicateLoginCode();
      let session;
      try {
        session = wechat.codeToSession(wechatCode);
      } catch (error) {
        // Only an errcode is WeChat's own answer about the code; any other failure was in transit.
        if (!(error instanceof WechatErrcodeError)) claim.release();
        throw error;
      }
      const { user, created } = findOrCreateUser(session);
      sendAuthResponse(e, user, "wechat", {
        code: 200,
        msg: created ? "注册成功" : "登录成功",
        data: {
          status: created ? "register_success" : "login_success",
          is_info_complete: isInfoComplete(profileOf(user)),
          user: userInfoOf(user),
        },
      });
    },
    "users_wx_code",
  );
}
