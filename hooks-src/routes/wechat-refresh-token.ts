import { auditRequest } from "../audit/audit";
import { requireRefreshableWechatUser, sendAuthResponse } from "../http/auth";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";

export function refreshToken(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireRefreshableWechatUser(e);
    const info = userInfoOf(user);
    sendAuthResponse(e, user, {
      code: 200,
      msg: "token 刷新成功",
      data: { is_info_complete: isInfoComplete(info), user: info },
    });
    auditRequest(e, "refresh", info);
  });
}
