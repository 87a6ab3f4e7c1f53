import { readLogoutRequest, signOut } from "../account/logout";
import { presentedToken } from "../account/token-revocation";
import { auditRequest, subjectOf } from "../audit/audit";
import { requireWechatUser } from "../http/auth";
import { readOptionalJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";

export function logout(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    const { scope } = readLogoutRequest(readOptionalJsonObjectBody(e));
    signOut(user, presentedToken(e), scope);
    auditRequest(e, "logout", subjectOf(user), { scope });
    sendOk(e, "已退出登录", { status: "logout_success", scope });
  });
}
