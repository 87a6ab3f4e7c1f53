import { ACCOUNT_STATUS } from "../account/account-status";
import { DELETION_DUE_FIELD } from "../account/account-status-hooks";
import { requestDeletion } from "../account/deletion";
import { auditRequest, subjectOf } from "../audit/audit";
import { requireWechatUser } from "../http/auth";
import { answer, sendOk } from "../http/responses";

// Every token of the user stops working at once: the status change rotates the token key.
export function deleteAccount(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    const requested = requestDeletion(user.id);
    auditRequest(e, "deletion_requested", subjectOf(requested));
    if (requested.getString("users_status") === ACCOUNT_STATUS.deleted) {
      auditRequest(e, "deletion_completed", subjectOf(requested));
      return sendOk(e, "账号已注销", { status: "account_deleted", deletion_due: null });
    }
    const due = new Date(requested.getString(DELETION_DUE_FIELD).replace(" ", "T")).toISOString();
    sendOk(e, "注销申请已提交,冷静期内重新登录即可撤销", { status: "deletion_pending", deletion_due: due });
  });
}
