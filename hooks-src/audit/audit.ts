// The audit trail: one row per account event in the append-only collection bai_audit_events
// (audit-events.ts), which superusers read in the admin UI (filter `users_id = "U…"`), and export
// by period (GET /api/wechat/admin/audit-export). Logins and refreshes are written in batches
// (audit-buffer.ts); every other event before its request is answered. Rows are kept AUDIT_RETENTION_DAYS (180 by
// default) whatever happens to PocketBase's logs, and the cron job bai_audit_prune drops older ones.
// Rows hold ids, the event, who acted, the client IP and, where the event has them, field names,
// a reason, WeChat's errcode, a document and its version; never a value of a field, a code, a
// token, a secret or a phone number.
import { clientIpOf } from "../http/request-memo";
import { logError, redact } from "../log";
import { bufferAuditEvent } from "./audit-buffer";
import { appendAuditEvent } from "./audit-events";

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
  | "consent_given"
  | "consent_withdrawn"
  | "risk_rank"
  | "my_data_exported"
  | "audit_exported"
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

export const requestOrigin = (e: core.RequestEvent): AuditOrigin => ({ by: "user", ip: clientIpOf(e) });

// An event that is part of a transaction (a registration, a consent): written by txApp, so that
// it commits or rolls back with the rest, and a failure fails the transaction.
export function auditIn(txApp: CoreApp, event: AuditEvent, user: core.Record | null, origin: AuditOrigin, details?: AuditDetails): void {
  appendAuditEvent(txApp, auditEntry(event, subjectOf(user), origin, details));
}

// An event on its own (staff, cron, a request whose work is done): a write of its own. If that
// fails, the request has already done its work, so the event goes to PocketBase's log instead
// of failing it.
export function audit(event: AuditEvent, user: core.Record | null, origin: AuditOrigin, details?: AuditDetails): void {
  writeAuditEntry(auditEntry(event, subjectOf(user), origin, details));
}

function writeAuditEntry(entry: AuditEntry): void {
  try {
    appendAuditEvent($app, entry);
  } catch (error) {
    logError(`Could not write the audit event ${entry.event}; it is logged here instead`, error);
    $app.logger().error(`audit: ${entry.event}`, "meta", entry);
  }
}

// Written in batches (audit-buffer.ts): the events of every app start and every token renewal.
// Their row is the record of the request, so PocketBase's own log line for it (a second row, in
// auxiliary.db) is left out; a failed login or refresh is still logged. PocketBase's
// SkipSuccessActivityLog() middleware sets this key (apis/middlewares.go, unexported).
const BATCHED_EVENTS: ReadonlySet<AuditEvent> = new Set(["login", "refresh"]);
const SKIP_SUCCESS_ACTIVITY_LOG = "__skipSuccessActivityLogger";

// An event of the user's own request. A route that has read the user's ids already passes them
// (its answer's user object), sparing a read of the record.
export function auditRequest(e: core.RequestEvent, event: AuditEvent, subject: AuditSubject | null, details?: AuditDetails): void {
  if (!BATCHED_EVENTS.has(event) || !subject || !onlyAnAppid(details)) return writeAuditEntry(auditEntry(event, subject, requestOrigin(e), details));
  const row = { event, users_id: subject.users_id, pb_id: subject.pb_id, ip: clientIpOf(e) };
  bufferAuditEvent(typeof details?.appid === "string" ? { ...row, appid: details.appid } : row);
  e.set(SKIP_SUCCESS_ACTIVITY_LOG, true);
}

// A batched row carries no details but the appid (a login's), which is never a secret to redact.
function onlyAnAppid(details: AuditDetails | undefined): boolean {
  if (!details) return true;
  for (const key in details) if (key !== "appid" || typeof details[key] !== "string") return false;
  return true;
}
