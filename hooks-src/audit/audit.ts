// The audit trail: one entry in PocketBase's own logs per account event, so staff read it in
// the Logs UI (filter `data.users_id = "U…"`), and it expires with Settings → Logs → retention.
// PocketBase's logger writes in batches to auxiliary.db, off the request's path: a login adds
// no write transaction for its entry. Entries hold ids, the event, the client IP and, where
// the event has them, field names, a reason and WeChat's errcode; never a value of a field,
// a code, a token, a secret or a phone number.
import { redact } from "../log";

export type AuditEvent =
  | "login"
  | "registration"
  | "login_failed"
  | "refresh"
  | "profile_updated"
  | "logout"
  | "deletion_requested"
  | "deletion_cancelled"
  | "deletion_completed"
  | "account_disabled"
  | "account_enabled";

export interface AuditSubject {
  pb_id: string;
  users_id: string;
}

export interface AuditOrigin {
  // "user" for the mini-program's requests, "staff" for the admin UI, "cron" for the erasure job.
  by: "user" | "staff" | "cron";
  // The client as PocketBase sees it, through the proxy headers set in Settings → Application.
  ip?: string;
  // The superuser behind a staff change.
  staff?: string;
}

export type AuditDetails = Record<string, string | number>;

// slog's key/value list for one entry, in a fixed order.
export function auditAttributes(event: AuditEvent, subject: AuditSubject | null, origin: AuditOrigin, details: AuditDetails = {}): Array<string | number> {
  const attributes: Array<string | number> = ["event", event];
  if (subject) attributes.push("pb_id", subject.pb_id, "users_id", subject.users_id);
  attributes.push("by", origin.by);
  if (origin.ip !== undefined) attributes.push("ip", origin.ip);
  if (origin.staff !== undefined) attributes.push("staff", origin.staff);
  for (const [key, value] of Object.entries(details)) attributes.push(key, typeof value === "string" ? redact(value) : value);
  return attributes;
}

export function subjectOf(user: core.Record | null): AuditSubject | null {
  return user ? { pb_id: user.id, users_id: user.getString("users_id") } : null;
}

export function audit(event: AuditEvent, user: core.Record | null, origin: AuditOrigin, details: AuditDetails = {}): void {
  $app.logger().info(`audit: ${event}`, ...auditAttributes(event, subjectOf(user), origin, details));
}

export function userRequest(e: core.RequestEvent): AuditOrigin {
  return { by: "user", ip: e.realIP() };
}
