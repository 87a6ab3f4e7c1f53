// The audit trail: one entry in PocketBase's own logs per account event, so staff read it in
// the Logs UI (filter `data.meta.users_id = "U…"`), and it expires with Settings → Logs → retention.
// An event of a user's request rides on the log entry PocketBase writes for that request anyway,
// as its meta (apis.RequestEventKeyLogMeta): a login or refresh costs no entry of its own, and
// staff see the answer's status and time beside it. Other events (staff, cron, a request's
// second event) are entries of their own, with the same fields under `meta`.
// PocketBase's logger writes in batches to auxiliary.db, off the request's path: no event adds
// a write transaction to a request. Entries hold ids, the event, the client IP and, where the
// event has them, field names, a reason and WeChat's errcode; never a value of a field, a code,
// a token, a secret or a phone number.
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
  | "account_enabled"
  // Registration (registration/): staff approved a 待审核 user; a user staff created was claimed
  // by its owner's phone login.
  | "account_approved"
  | "account_claimed"
  // One person across apps (identities/): a new app's identity joined a user by unionid; a
  // unionid WeChat returned is another user's (nothing stored); a staff merge.
  | "identity_linked"
  | "identity_bound"
  | "identity_unbound"
  | "unionid_conflict"
  | "users_merged";

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

export type AuditEntry = { event: AuditEvent; by: AuditOrigin["by"] } & Partial<AuditSubject> & { ip?: string; staff?: string } & AuditDetails;

// PocketBase's apis.RequestEventKeyLogMeta: what the request's own log entry stores as `meta`.
const REQUEST_LOG_META = "pbLogMeta";

// One entry's fields, in a fixed order. Of the subject, only its two ids: a route may pass the
// user object of its answer, which holds the phone number.
export function auditEntry(event: AuditEvent, subject: AuditSubject | null, origin: AuditOrigin, details?: AuditDetails): AuditEntry {
  const entry: Record<string, string | number> = { event };
  if (subject) {
    entry.pb_id = subject.pb_id;
    entry.users_id = subject.users_id;
  }
  entry.by = origin.by;
  if (origin.ip !== undefined) entry.ip = origin.ip;
  if (origin.staff !== undefined) entry.staff = origin.staff;
  // Only when given: in goja, even looping over an empty object costs as much as a field read.
  if (details) for (const [key, value] of Object.entries(details)) entry[key] = typeof value === "string" ? redact(value) : value;
  return entry as AuditEntry;
}

export function subjectOf(user: core.Record | null): AuditSubject | null {
  return user ? { pb_id: user.id, users_id: user.getString("users_id") } : null;
}

// An entry of its own, for events outside a user's request.
export function audit(event: AuditEvent, user: core.Record | null, origin: AuditOrigin, details?: AuditDetails): void {
  $app.logger().info(`audit: ${event}`, "meta", auditEntry(event, subjectOf(user), origin, details));
}

// An event of the user's own request: the request's log entry carries it. A request's second
// event (a login that also cancels a deletion) gets an entry of its own. A route that has read
// the user's ids already passes them (its answer's user object), sparing a read of the record.
export function auditRequest(e: core.RequestEvent, event: AuditEvent, subject: AuditSubject | null, details?: AuditDetails): void {
  const entry = auditEntry(event, subject, { by: "user", ip: e.realIP() }, details);
  if (e.get(REQUEST_LOG_META) == null) e.set(REQUEST_LOG_META, entry);
  else $app.logger().info(`audit: ${event}`, "meta", entry);
}
