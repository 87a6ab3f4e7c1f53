// onRecordUpdateRequest on tbl_auth_users (pb_hooks/bai_wechat_auth.pb.js): a change of users_status
// made through PocketBase's records API (staff in the admin UI) leaves its audit entries.
// Our routes and the cron save users without that API and write their own entries.
import { statusChangeEvents } from "../account/account-status";
import { audit } from "./audit";

export function auditStaffStatusChange(e: core.RecordRequestEvent): void {
  const before = e.record!.original().getString("users_status");
  e.next();
  const events = statusChangeEvents(before, e.record!.getString("users_status"));
  for (const event of events) audit(event, e.record!, { by: "staff", ip: e.realIP(), staff: e.auth?.id ?? "" });
}
