import { auditRequest } from "../audit/audit";
import { requireRefreshableWechatCaller, sendAuthResponse } from "../http/auth";
import { answer } from "../http/responses";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";

export function refreshToken(e: core.RequestEvent): void {
  answer(e, () => {
    const caller = requireRefreshableWechatCaller(e);
    const info = userInfoOf(caller.user);
    sendAuthResponse(
      e,
      caller.user,
      {
        code: 200,
        msg: "token 刷新成功",
        data: { is_info_complete: isInfoComplete(info), user: info },
      },
      caller,
    );
    auditRequest(e, "refresh", info);
  });
}
