import { auditRequest } from "../audit/audit";
import { requireWechatUser, requireRefreshableToken, sendAuthResponse } from "../http/auth";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import { profileOf } from "../users/users";

export function refreshToken(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    requireRefreshableToken(e);
    sendAuthResponse(e, user, "", {
      code: 200,
      msg: "token 刷新成功",
      data: { is_info_complete: isInfoComplete(profileOf(user)), user: userInfoOf(user) },
    });
    auditRequest(e, "refresh", user);
  });
}
