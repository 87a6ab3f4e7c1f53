// The audit export's own refusal.
import { ApiFailure } from "../errors";

export const auditFailures = {
  superuserRequired: () => new ApiFailure(403, "仅限管理员(superuser)导出审计记录", {}, "superuser_required"),
};
