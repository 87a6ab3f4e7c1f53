// The bundle's surface: everything pb_hooks/bai_wechat_auth.pb.js registers and calls. The
// routes and cron jobs themselves are tables in registry/.
export { afterBootstrap, dispatch, methodNotAllowed, registrations, runCronJob } from "./registry/registrations";
export { refuseEmailChange } from "./users/account-hooks";
export { tagRealtimeClient } from "./account/token-revocation";
export { refuseDeadToken } from "./account/dead-tokens";
export { applyAccountStatusRules } from "./account/account-status-hooks";
export { auditStaffStatusChange } from "./audit/staff-changes";
export { refuseAppendOnlyChange } from "./audit/append-only";
export { flushAuditEventsBefore } from "./audit/audit-buffer";
export { unlinkConsentsOfDeletedUser } from "./consents/consent-ledger";
export { forgetCompany } from "./companies/company-info";
export { rememberServer } from "./records/record-update";
export { refuseSecondSettingsRow } from "./registration/policy";
export { followApplicationUrlChange } from "./operations/application-url";
