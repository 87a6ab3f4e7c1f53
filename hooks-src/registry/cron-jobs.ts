// Every cron job of ours; pb_hooks/bai_wechat_auth.pb.js registers each with cronAdd.
import { eraseDueAccounts } from "../account/deletion";
import { flushAuditEvents } from "../audit/audit-buffer";
import { pruneAuditEvents } from "../audit/audit-events";
import { sweepExpiredRevokedTokens } from "../account/token-revocation";
import { sweepExpiredPendingAvatars } from "../avatars/avatars";
import { sweepAvatarUploadCounters } from "../avatars/upload-limits";
import { sweepExpiredPushNonces } from "../push/push-nonces";
import { sweepExpiredLoginCodeClaims } from "../wechat/login-code-claims";

export interface CronJob {
  id: string;
  schedule: string;
  run: () => void;
}

export const cronJobs: readonly CronJob[] = [
  { id: "bai_login_code_claims_sweep", schedule: "* * * * *", run: () => sweepExpiredLoginCodeClaims() },
  // Accounts whose cooling-off period has ended are erased within ten minutes of their due time.
  { id: "bai_account_erasure", schedule: "*/10 * * * *", run: () => eraseDueAccounts() },
  { id: "bai_revoked_tokens_sweep", schedule: "23 * * * *", run: () => sweepExpiredRevokedTokens() },
  // Buffered login and refresh events that quiet times left behind (audit-buffer.ts).
  { id: "bai_audit_flush", schedule: "* * * * *", run: () => flushAuditEvents() },
  // Audit events older than AUDIT_RETENTION_DAYS, once a day at 03:17 (the server's time zone).
  { id: "bai_audit_prune", schedule: "17 3 * * *", run: () => pruneAuditEvents() },
  { id: "bai_push_nonces_sweep", schedule: "* * * * *", run: () => sweepExpiredPushNonces() },
  {
    id: "bai_avatar_sweep",
    schedule: "*/10 * * * *",
    run: () => {
      sweepExpiredPendingAvatars();
      sweepAvatarUploadCounters();
    },
  },
];
