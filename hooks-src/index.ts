// The bundle's surface: everything pb_hooks/bai_wechat_auth.pb.js registers and calls. The
// routes and cron jobs themselves are tables in registry/. Assigned to module.exports directly, not
// exported: see scripts/bundle-options.mjs.
import { afterBootstrap, dispatch, methodNotAllowed, registrations, runCronJob } from "./registry/registrations";
import { refuseEmailChange } from "./users/account-hooks";
import { tagRealtimeClient } from "./account/token-revocation";
import { refuseDeadToken } from "./account/dead-tokens";
import { applyAccountStatusRules } from "./account/account-status-hooks";
import { auditStaffStatusChange } from "./audit/staff-changes";
import { refuseAppendOnlyChange } from "./audit/append-only";
import { flushAuditEventsBefore } from "./audit/audit-buffer";
import { unlinkConsentsOfDeletedUser } from "./consents/consent-ledger";
import { forgetCompany } from "./companies/company-info";
import { rememberServer } from "./records/record-update";
import { refuseSecondSettingsRow } from "./registration/policy";
import { followApplicationUrlChange } from "./operations/application-url";

module.exports = { afterBootstrap, dispatch, methodNotAllowed, registrations, runCronJob, refuseEmailChange, tagRealtimeClient, refuseDeadToken, applyAccountStatusRules, auditStaffStatusChange, refuseAppendOnlyChange, flushAuditEventsBefore, unlinkConsentsOfDeletedUser, forgetCompany, rememberServer, refuseSecondSettingsRow, followApplicationUrlChange };
