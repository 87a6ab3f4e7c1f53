// Login and refresh events, the hot paths (every app start, every token renewal), are not written
// one by one: a write per event cost a login of an existing user about a quarter more CPU (npm run
// bench, features: 1.05 → 1.37 ms at 16 connections; batched, within the noise). Each event takes the next number of a counter
// in $app.store() and leaves its row there under that number; the event whose number closes a batch
// of AUDIT_BATCH_ROWS writes the batch as one statement. Rows are small separate entries, so that no
// VM copies a growing buffer. What quiet times leave behind is written by the cron job
// bai_audit_flush within a minute, before any read of the trail (the admin UI's list, the export,
// my-data), and when PocketBase stops (onTerminate). The price: a crash (not a clean stop) loses the
// buffered login and refresh events, at most AUDIT_BATCH_ROWS of them, or a minute's worth.
import { logError } from "../log";
import { auditRowId, pocketBaseDate, writeAuditRows } from "./audit-events";

export const AUDIT_BATCH_ROWS = 50;
const SEQUENCE_KEY = "bai.audit.sequence";
const WRITTEN_KEY = "bai.audit.written";
const FLUSHING_KEY = "bai.audit.flushing";
const ROW_KEY_PREFIX = "bai.audit.row.";

type Store = store.Store<string, any>;
export type WriteRows = (rowsJson: string) => void;

// A user's own event whose only detail is the app it came through, if any (login, refresh), as the
// tuple auditTupleOf makes of auditRowOf's row, written out directly: on the hot path every object goja builds counts.
export interface BufferedEvent {
  event: string;
  users_id: string;
  pb_id: string;
  ip: string;
  appid?: string;
}

export function bufferedRow({ event, users_id, pb_id, ip, appid }: BufferedEvent, now: Date): string {
  const details = appid === undefined ? "{}" : `{"appid":${JSON.stringify(appid)}}`;
  return `["${auditRowId(now)}","${pocketBaseDate(now)}",${JSON.stringify(event)},${JSON.stringify(users_id)},${JSON.stringify(pb_id)},"user",${JSON.stringify(ip)},"",${details}]`;
}

export function bufferAuditEvent(event: BufferedEvent, now = new Date(), store: Store = $app.store(), write: WriteRows = writeRows, batchRows = AUDIT_BATCH_ROWS): void {
  let sequence = 0;
  store.setFunc(SEQUENCE_KEY, (last: number | null) => (sequence = (last ?? 0) + 1));
  store.set(ROW_KEY_PREFIX + sequence, bufferedRow(event, now));
  if (sequence % batchRows === 0) flushAuditEvents(store, write);
}

// Writes the rows numbered after the last written, in order, up to the first that is not there
// yet (its event took its number but has not left its row: the next flush takes it). One flush
// at a time; a flush that finds another one running leaves the rows to it or the next.
export function flushAuditEvents(store: Store = $app.store(), write: WriteRows = writeRows): void {
  let claimed = false;
  store.setFunc(FLUSHING_KEY, (busy: boolean | null) => {
    if (!busy) claimed = true;
    return true;
  });
  if (!claimed) return;
  try {
    const written: number = store.get(WRITTEN_KEY) ?? 0;
    const last: number = store.get(SEQUENCE_KEY) ?? 0;
    const rows: string[] = [];
    for (let sequence = written + 1; sequence <= last; sequence++) {
      const row = store.get(ROW_KEY_PREFIX + sequence);
      if (row == null) break;
      rows.push(row);
    }
    if (rows.length === 0) return;
    write(`[${rows.join(",")}]`);
    for (let sequence = written + 1; sequence <= written + rows.length; sequence++) store.remove(ROW_KEY_PREFIX + sequence);
    store.set(WRITTEN_KEY, written + rows.length);
  } finally {
    store.remove(FLUSHING_KEY);
  }
}

// onRecordsListRequest on bai_audit_events (the admin UI's list) and onTerminate: the buffer first.
export function flushAuditEventsBefore(e: { next(): void }): void {
  flushAuditEvents();
  e.next();
}

// The requests whose events these are have been answered: a failed write goes to PocketBase's log.
function writeRows(rowsJson: string): void {
  try {
    writeAuditRows($app, rowsJson);
  } catch (error) {
    logError("Could not write a batch of audit events; they are logged here instead", error);
    $app.logger().error("audit: batch", "rows", rowsJson);
  }
}
