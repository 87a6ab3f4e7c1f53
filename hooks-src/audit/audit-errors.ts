// The audit export's own refusal.
import { failure } from "../errors";

export const auditFailures = {
  superuserRequired: () => failure(403, "superuser_required.audit_export"),
};
