// Every cron job of ours; pb_hooks/bai_wechat_auth.pb.js registers each with cronAdd.
import { sweepExpiredLoginCodeClaims } from "../wechat/login-code-claims";

export interface CronJob {
  id: string;
  schedule: string;
  run: () => void;
}

export const cronJobs: readonly CronJob[] = [{ id: "bai_login_code_claims_sweep", schedule: "* * * * *", run: () => sweepExpiredLoginCodeClaims() }];
