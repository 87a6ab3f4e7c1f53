// bai_consents, the consent ledger (migration 1764950000): one row per agreement or withdrawal,
// with the user, the document, its version, where it happened, the appid, the client IP and the
// time. Append-only like the audit trail (audit/append-only.ts); the erasure of an account
// unlinks its rows and keeps them as anonymous evidence (unlinkConsentsOf).
import { auditIn, type AuditOrigin } from "../audit/audit";
import { readWechatConfig } from "../config";
import { consentChanges, type ConsentAction, type ConsentChange, type ConsentItem, type ConsentSource, type LedgerEntry } from "./consent-rules";

export const CONSENTS_COLLECTION = "bai_consents";

export interface ConsentRow extends LedgerEntry {
  source: string;
  appid: string;
  ip: string;
}

// Where a change comes from: the source (login, settings, prompt), the request's client and, for
// a login, the app it came through (else the primary mini-program's).
export interface ConsentContext {
  source: ConsentSource;
  ip: string;
  appid?: string;
}

// The user's rows, newest first.
export function consentRowsOf(app: CoreApp, userId: string): ConsentRow[] {
  const rows = arrayOf(new DynamicModel({ document: "", version: "", action: "", source: "", appid: "", ip: "", created: "" }));
  app
    .db()
    .newQuery(
      `SELECT [[document]], [[version]], [[action]], [[source]], [[appid]], [[ip]], [[created]] FROM {{${CONSENTS_COLLECTION}}}
       WHERE [[user]] = {:userId} ORDER BY [[created]] DESC, rowid DESC`,
    )
    .bind({ userId })
    .all(rows);
  return rows.map((row) => ({ document: row.document, version: row.version, action: row.action as ConsentAction, source: row.source, appid: row.appid, ip: row.ip, created: row.created }));
}

// Adds the rows of `changes` for the user, each with its audit event, in txApp's transaction.
export function writeConsentChanges(txApp: CoreApp, user: core.Record, changes: readonly ConsentChange[], context: ConsentContext): void {
  if (changes.length === 0) return;
  const collection = txApp.findCachedCollectionByNameOrId(CONSENTS_COLLECTION);
  const appid = context.appid ?? readWechatConfig()?.appId ?? "";
  const origin: AuditOrigin = { by: "user", ip: context.ip };
  for (const change of changes) {
    const row = new Record(collection);
    row.set("user", user.id);
    row.set("document", change.document);
    row.set("version", change.version);
    row.set("action", change.action);
    row.set("source", context.source);
    row.set("appid", appid);
    row.set("ip", context.ip);
    txApp.save(row);
    auditIn(txApp, change.action === "agree" ? "consent_given" : "consent_withdrawn", user, origin, { document: change.document, version: change.version, source: context.source });
  }
}

// An agreement or withdrawal: the user's rows are read again inside the transaction, which
// PocketBase runs one at a time, so that two taps on "agree" add one row.
export function changeConsents(user: core.Record, items: readonly ConsentItem[], action: ConsentAction, context: ConsentContext): ConsentChange[] {
  // Nothing new (the usual case: the SDK repeats what the user agreed to): no write at all.
  if (items.length === 0 || consentChanges(consentRowsOf($app, user.id), items, action).length === 0) return [];
  let written: ConsentChange[] = [];
  $app.runInTransaction((txApp) => {
    written = consentChanges(consentRowsOf(txApp, user.id), items, action);
    writeConsentChanges(txApp, user, written, context);
  });
  return written;
}

// The erasure of an account (账号注销), in its transaction: the rows stay as evidence that a
// version was agreed to, when and where, but no longer say by whom.
export function unlinkConsentsOf(txApp: CoreApp, userId: string): void {
  txApp.db().newQuery(`UPDATE {{${CONSENTS_COLLECTION}}} SET [[user]] = '', [[ip]] = '' WHERE [[user]] = {:userId}`).bind({ userId }).execute();
}

// A 待审核 record a phone login replaces by the user staff made for the same person
// (identities/resolution.ts): its consents are that person's, and move with their identities.
export function moveConsents(txApp: CoreApp, fromUserId: string, toUserId: string): void {
  txApp.db().newQuery(`UPDATE {{${CONSENTS_COLLECTION}}} SET [[user]] = {:to} WHERE [[user]] = {:from}`).bind({ from: fromUserId, to: toUserId }).execute();
}

// onRecordDelete on tbl_auth_users (staff delete a user in the admin UI): the same as an erasure,
// before PocketBase would empty the relation by itself and leave the IP.
export function unlinkConsentsOfDeletedUser(e: core.RecordEvent): void {
  unlinkConsentsOf(e.app, e.record!.id);
  e.next();
}

