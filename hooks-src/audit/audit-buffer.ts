// Login and refresh events, the hot paths (every app start, every token renewal), are not written
// one by one: a write per event cost a login of an existing user about a quarter more CPU (npm run
// bench, features: 1.05 → 1.37 ms at 16 connections; batched, within the noise). Each event leaves
// its row in $app.store() under a number of its space, and the event that closes a batch of
// AUDIT_BATCH_ROWS in its space writes the batch as one statement. Rows are small separate entries,
// so that no VM copies a growing buffer.
//
// A VM numbers its events in a space of its own from its second one on: its own counter, no lock of
// anyone else's. A number handed out under the store's one lock, by a JS callback, held every other
// request's store call behind it: at 32 connections that lock was most of the waiting in a mutex
// profile, and a VM waiting holds its VM, so PocketBase built throwaway VMs for the requests behind.
// A VM's first event takes the next number of the shared space, as every event once did: PocketBase
// builds a throwaway VM for one request when the pooled ones are busy, and a space registered for
// each would grow the list of spaces without end. So only pooled VMs have spaces, at most --hooksPool.
//
// What quiet times leave behind is written by the cron job bai_audit_flush within a minute, before
// any read of the trail (the admin UI's list, the export, my-data), and when PocketBase stops
// (onTerminate). The price: a crash (not a clean stop) loses the buffered login and refresh events,
// at most AUDIT_BATCH_ROWS − 1 in each space, or a minute's worth.
import { appStore } from "../app-store";
import { logError } from "../log";
import { storedDate } from "../database/stored-dates";
import { auditRowId, writeAuditRows } from "./audit-events";

export const AUDIT_BATCH_ROWS = 50;
const SHARED_SPACE = "";
const SEQUENCE_KEY = "bai.audit.sequence";
const SPACES_KEY = "bai.audit.spaces";
const FLUSHING_KEY = "bai.audit.flushing";
const writtenKey = (space: string): string => (space === SHARED_SPACE ? "bai.audit.written" : `bai.audit.written.${space}`);
const rowKey = (space: string, sequence: number): string => (space === SHARED_SPACE ? `bai.audit.row.${sequence}` : `bai.audit.row.${space}.${sequence}`);

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
  return `["${auditRowId(now)}","${storedDate(now)}",${JSON.stringify(event)},${JSON.stringify(users_id)},${JSON.stringify(pb_id)},"user",${JSON.stringify(ip)},"",${details}]`;
}

// A VM's own numbering (tests pass their own). It lives on the VM's global object, not in this
// module's state: a VM may load more than one of our bundles (the lean, the hot and the whole one),
// each with a copy of this module, and one space per VM keeps a crash's loss to one batch per VM.
export class AuditVm {
  events = 0;
  space: { id: string; last: number } | null = null;
}
const thisVm: AuditVm = ((globalThis as { __baiAuditVm?: AuditVm }).__baiAuditVm ??= new AuditVm());

export function bufferAuditEvent(event: BufferedEvent, now = new Date(), store: Store = appStore(), write: WriteRows = writeRows, batchRows = AUDIT_BATCH_ROWS, vm = thisVm): void {
  vm.events++;
  if (vm.events === 1) {
    let sequence = 0;
    store.setFunc(SEQUENCE_KEY, (last: number | null) => (sequence = (last ?? 0) + 1));
    store.set(rowKey(SHARED_SPACE, sequence), bufferedRow(event, now));
    if (sequence % batchRows === 0) flushAuditEvents(store, write);
    return;
  }
  vm.space ??= { id: registeredSpace(store), last: 0 };
  const sequence = ++vm.space.last;
  store.set(rowKey(vm.space.id, sequence), bufferedRow(event, now));
  if (sequence % batchRows === 0) flushSpaces([vm.space.id], store, write);
}

function registeredSpace(store: Store): string {
  const id = Math.random().toString(36).slice(2, 12).padEnd(10, "0");
  store.setFunc(SPACES_KEY, (spaces: string[] | null | undefined) => [...(spaces ?? []), id]);
  return id;
}

// Everything that waits: the shared space and every VM's.
export function flushAuditEvents(store: Store = appStore(), write: WriteRows = writeRows): void {
  flushSpaces([SHARED_SPACE, ...((store.get(SPACES_KEY) as string[] | null | undefined) ?? [])], store, write);
}

// Writes, in each space, the rows numbered after the last written, in order, up to the first that is
// not there yet (in the shared space, an event that took its number but has not left its row: the
// next flush takes it). One flush at a time; a flush that finds another one running leaves the rows
// to it or the next.
function flushSpaces(spaces: readonly string[], store: Store, write: WriteRows): void {
  let claimed = false;
  store.setFunc(FLUSHING_KEY, (busy: boolean | null) => {
    if (!busy) claimed = true;
    return true;
  });
  if (!claimed) return;
  try {
    const rows: string[] = [];
    const taken: Array<{ space: string; written: number; count: number }> = [];
    for (const space of spaces) {
      const written: number = store.get(writtenKey(space)) ?? 0;
      let count = 0;
      for (let row = store.get(rowKey(space, written + 1)); row != null; row = store.get(rowKey(space, written + count + 1))) {
        rows.push(row);
        count++;
      }
      if (count > 0) taken.push({ space, written, count });
    }
    if (rows.length === 0) return;
    write(`[${rows.join(",")}]`);
    for (const { space, written, count } of taken) {
      for (let sequence = written + 1; sequence <= written + count; sequence++) store.remove(rowKey(space, sequence));
      store.set(writtenKey(space), written + count);
    }
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
