// Every cron job of ours; pb_hooks/bai_wechat_auth.pb.js registers each with cronAdd.
import { sweepExpiredPendingAvatars } from "../avatars/avatars";
import { sweepAvatarUploadCounters } from "../avatars/upload-limits";
import { sweepExpiredPushNonces } from "../push/push-requests";
import { sweepExpiredLoginCodeClaims } from "../wechat/login-code-claims";

export interface CronJob {
  id: string;
  schedule: string;
  run: () => void;
}

export const cronJobs: readonly CronJob[] = [
  { id: "bai_login_code_claims_sweep", schedule: "* * * * *", run: () => sweepExpiredLoginCodeClaims() },
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
