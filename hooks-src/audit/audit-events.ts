// bai_audit_events, the audit trail's collection (migration 1764950000). Append-only: our code
// inserts plain rows (no record hooks, no validation round), the API refuses every create, update
// and delete (append-only.ts), and only the cron job bai_audit_prune deletes, once a row is older
// than the retention period. Rows go in as one JSON array that SQLite unpacks (json_each), so that
// a batch of buffered rows (audit-buffer.ts) is one statement, however many rows it holds. Each row
// is an array of its columns in AUDIT_COLUMNS' order: SQLite reads `value ->> 0` in a third less
// time than `value ->> 'id'`, and the batch insert was most of what a login's audit costs.
import { storedDate } from "../database/stored-dates";
import type { AuditEntry } from "./audit";

export const AUDIT_EVENTS_COLLECTION = "bai_audit_events";
export const DEFAULT_AUDIT_RETENTION_DAYS = 180;
const MAX_AUDIT_RETENTION_DAYS = 3650;
const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_BATCH = 5000;

export interface AuditRow {
  id: string;
  created: string;
  event: string;
  users_id: string;
  pb_id: string;
  by: string;
  ip: string;
  staff: string;
  details: Record<string, string | number>;
}

// PocketBase's id shape (15 of [a-z0-9]), in time order: the milliseconds in base 36 (9 characters),
// then 6 random ones, a whole number below 36^6 in base 36. A random id lands anywhere in the primary
// key's index, and SQLite then writes twice the pages for an insert as it does for an id that lands at the end.
// goja writes a whole number in base 36 with Go's strconv; drawing the 6 characters one by one cost
// every login and refresh about 30 k instructions more (callgrind).
const RANDOM_SUFFIXES = 36 ** 6;

export function auditRowId(now: Date, random: () => number = Math.random): string {
  return now.getTime().toString(36).padStart(9, "0") + Math.floor(random() * RANDOM_SUFFIXES).toString(36).padStart(6, "0");
}

// The row of an entry: whatever is not a column of its own is a detail.
export function auditRowOf(entry: AuditEntry, now: Date): AuditRow {
  const { event, pb_id = "", users_id = "", by, ip = "", staff = "", ...details } = entry;
  return { id: auditRowId(now), created: storedDate(now), event, users_id, pb_id, by, ip, staff, details: details as AuditRow["details"] };
}

export const AUDIT_COLUMNS = ["id", "created", "event", "users_id", "pb_id", "by", "ip", "staff", "details"] as const;
export type AuditTuple = [string, string, string, string, string, string, string, string, AuditRow["details"]];

export const auditTupleOf = (row: AuditRow): AuditTuple => [row.id, row.created, row.event, row.users_id, row.pb_id, row.by, row.ip, row.staff, row.details];

// rowsJson: a JSON array of AuditTuple.
export function writeAuditRows(app: CoreApp, rowsJson: string): void {
  const values = AUDIT_COLUMNS.map((_, index) => (index === AUDIT_COLUMNS.length - 1 ? `value -> ${index}` : `value ->> ${index}`));
  app
    .db()
    .newQuery(`INSERT INTO {{${AUDIT_EVENTS_COLLECTION}}} (${AUDIT_COLUMNS.map((column) => `[[${column}]]`).join(", ")}) SELECT ${values.join(", ")} FROM json_each({:rows})`)
    .bind({ rows: rowsJson })
    .execute();
}

export function appendAuditEvent(app: CoreApp, entry: AuditEntry, now = new Date()): void {
  writeAuditRows(app, JSON.stringify([auditTupleOf(auditRowOf(entry, now))]));
}

export function readAuditRetentionDays(getenv: (name: string) => string = $os.getenv): { days: number; problem: string | null } {
  const raw = getenv("AUDIT_RETENTION_DAYS").trim();
  if (raw === "") return { days: DEFAULT_AUDIT_RETENTION_DAYS, problem: null };
  const days = Number(raw);
  if (Number.isInteger(days) && days >= 1 && days <= MAX_AUDIT_RETENTION_DAYS) return { days, problem: null };
  return { days: DEFAULT_AUDIT_RETENTION_DAYS, problem: `AUDIT_RETENTION_DAYS must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}; keeping ${DEFAULT_AUDIT_RETENTION_DAYS}` };
}

export const auditCutoff = (now: Date, retentionDays: number): Date => new Date(now.getTime() - retentionDays * DAY_MS);

// Cron job bai_audit_prune: rows older than the retention period, in batches, each its own
// short write, so that logins never wait long behind the prune.
export function pruneAuditEvents(now = new Date(), retentionDays = readAuditRetentionDays().days): number {
  const cutoff = storedDate(auditCutoff(now, retentionDays));
  let pruned = 0;
  for (;;) {
    const result = $app
      .db()
      .newQuery(
        `DELETE FROM {{${AUDIT_EVENTS_COLLECTION}}} WHERE rowid IN
           (SELECT rowid FROM {{${AUDIT_EVENTS_COLLECTION}}} WHERE [[created]] < {:cutoff} ORDER BY [[created]] LIMIT ${PRUNE_BATCH})`,
      )
      .bind({ cutoff })
      .execute();
    const deleted = Number(result.rowsAffected());
    pruned += deleted;
    if (deleted < PRUNE_BATCH) return pruned;
  }
}

const ROW_SHAPE = { seq: 0, id: "", created: "", event: "", users_id: "", pb_id: "", by: "", ip: "", staff: "", details: "" };
const SELECT_ROW = `SELECT rowid AS [[seq]], [[id]], [[created]], [[event]], [[users_id]], [[pb_id]], [[by]], [[ip]], [[staff]], [[details]] FROM {{${AUDIT_EVENTS_COLLECTION}}}`;

export type AuditRowWithSeq = AuditRow & { seq: number };

function rowsOf(models: DynamicModel[]): AuditRowWithSeq[] {
  return models.map((model) => ({
    seq: model.seq,
    id: model.id,
    created: model.created,
    event: model.event,
    users_id: model.users_id,
    pb_id: model.pb_id,
    by: model.by,
    ip: model.ip,
    staff: model.staff,
    details: parseDetails(model.details),
  }));
}

function parseDetails(raw: string): AuditRow["details"] {
  try {
    const parsed = JSON.parse(raw || "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

// One page of a period, oldest first, after the row `after` (its created and seq) if given.
export function auditEventsBetween(from: Date, to: Date, limit: number, after?: { created: string; seq: number }): AuditRowWithSeq[] {
  const models = arrayOf(new DynamicModel(ROW_SHAPE));
  $app
    .db()
    .newQuery(
      `${SELECT_ROW} WHERE [[created]] >= {:from} AND [[created]] < {:to}
         AND ([[created]] > {:afterCreated} OR ([[created]] = {:afterCreated} AND rowid > {:afterSeq}))
       ORDER BY [[created]], rowid LIMIT ${Math.floor(limit)}`,
    )
    .bind({ from: storedDate(from), to: storedDate(to), afterCreated: after?.created ?? "", afterSeq: after?.seq ?? 0 })
    .all(models);
  return rowsOf(models);
}

// Every event of one user, newest first: found through users_id's index (a user staff created
// without one is looked up by record id alone, without an index).
export function auditEventsOfUser(user: core.Record): AuditRow[] {
  const models = arrayOf(new DynamicModel(ROW_SHAPE));
  const usersId = user.getString("users_id");
  const where = usersId === "" ? "[[pb_id]] = {:userId}" : "[[users_id]] = {:usersId} AND [[pb_id]] = {:userId}";
  $app.db().newQuery(`${SELECT_ROW} WHERE ${where} ORDER BY [[created]] DESC, rowid DESC`).bind({ userId: user.id, usersId }).all(models);
  return rowsOf(models).map(({ seq: _seq, ...row }) => row);
}
