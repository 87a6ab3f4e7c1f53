// The audit trail and the consent ledger are evidence: rows are added by our own code only, and
// nobody, superusers included, creates, edits or deletes one through the API or the admin UI
// (pb_hooks/bai_wechat_auth.pb.js registers this on the create, update and delete requests of
// both, and on every record delete, which is how PocketBase truncates a collection). Only the
// cron job bai_audit_prune deletes audit rows, past the retention period, with plain SQL; the
// erasure of an account unlinks its consent rows the same way.
import { AUDIT_EVENTS_COLLECTION } from "./audit-events";
import { CONSENTS_COLLECTION } from "../consents/consent-ledger";

export const APPEND_ONLY_COLLECTIONS = [AUDIT_EVENTS_COLLECTION, CONSENTS_COLLECTION];

export function refuseAppendOnlyChange(e: core.RecordEvent | core.RecordRequestEvent): void {
  throw new ForbiddenError(`${e.record?.collection().name ?? "This collection"} is append-only: its records cannot be created, changed or deleted here.`);
}
