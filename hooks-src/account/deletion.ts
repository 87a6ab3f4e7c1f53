// Account deletion (注销): requested by the user (or by staff, who set users_status in the admin
// UI), cancelled by a login during the cooling-off period, finished by a cron job that erases
// the personal data. What a status change does to the record is in account-status-hooks.ts;
// here every change re-reads the user inside its own transaction, so it applies to the state
// it really replaces, and a concurrent login, staff edit or second cron run can't be undone.
import { gainsUnionid, USERS_COLLECTION } from "../users/users";
import type { WechatSession } from "../wechat/client";
import { ACCOUNT_STATUS, deletionDueAt, effectiveDeletionDue, failureForAccountStatus, readDeletionCooloffDays } from "./account-status";
import { DELETION_DUE_FIELD } from "./account-status-hooks";
import { audit } from "../audit/audit";
import { storedDate } from "../database/stored-dates";

function changeUser(userId: string, change: (user: core.Record) => boolean): core.Record | null {
  let changed: core.Record | null = null;
  $app.runInTransaction((txApp) => {
    const user = txApp.findRecordById(USERS_COLLECTION, userId);
    if (!change(user)) return;
    txApp.save(user);
    changed = user;
  });
  return changed;
}

// With a cooling-off period of 0 days the account is erased at once.
export function requestDeletion(userId: string): core.Record {
  const erasesAtOnce = readDeletionCooloffDays() === 0;
  return changeUser(userId, (user) => {
    const refusal = failureForAccountStatus(user.getString("users_status"));
    if (refusal) throw refusal;
    user.set("users_status", erasesAtOnce ? ACCOUNT_STATUS.deleted : ACCOUNT_STATUS.deletionPending);
    return true;
  })!;
}

export function isDeletionPending(user: core.Record): boolean {
  return user.getString("users_status") === ACCOUNT_STATUS.deletionPending;
}

// null when the account is no longer 注销中 (the cron erased it, or staff changed it). The
// login that cancels also records a unionid it brings, which it could not while 注销中.
export function cancelDeletion(userId: string, identity: WechatSession): core.Record | null {
  return changeUser(userId, (user) => {
    if (!isDeletionPending(user)) return false;
    user.set("users_status", ACCOUNT_STATUS.active);
    if (gainsUnionid(user, identity)) user.set("unionid", identity.unionid);
    return true;
  });
}

// Cron job bai_account_erasure. One transaction per account: a crash leaves each account
// either erased or still 注销中, and the next run finishes the rest. An account without a due
// date (which no save leaves any more) is due a cooling-off period after its last change.
// The status is written out in the SQL so that SQLite may use the partial indexes on each
// half (migrations 1764300000 and 1764710000).
export function eraseDueAccounts(now = new Date()): void {
  const cooloffDays = readDeletionCooloffDays();
  const due = arrayOf(new DynamicModel({ id: "" }));
  $app
    .db()
    .newQuery(
      `SELECT id FROM ${USERS_COLLECTION} WHERE ${DELETION_DUE_FIELD} != '' AND ${DELETION_DUE_FIELD} <= {:now} AND users_status = '${ACCOUNT_STATUS.deletionPending}'
       UNION ALL
       SELECT id FROM ${USERS_COLLECTION} WHERE ${DELETION_DUE_FIELD} = '' AND users_status = '${ACCOUNT_STATUS.deletionPending}' AND updated <= {:changedBefore}`,
    )
    .bind({ now: storedDate(now), changedBefore: storedDate(deletionDueAt(now, -cooloffDays)) })
    .all(due);
  for (const { id } of due) {
    const erased = changeUser(id, (user) => {
      if (!isDeletionPending(user) || dueDateOf(user, cooloffDays).getTime() > now.getTime()) return false;
      user.set("users_status", ACCOUNT_STATUS.deleted);
      return true;
    });
    if (erased) audit("deletion_completed", erased, { by: "cron" });
  }
}

function dueDateOf(user: core.Record, cooloffDays: number): Date {
  const due = user.getDateTime(DELETION_DUE_FIELD);
  const lastChangedAt = new Date(user.getDateTime("updated").time().unixMilli());
  return effectiveDeletionDue(due.isZero() ? null : new Date(due.time().unixMilli()), lastChangedAt, cooloffDays);
}

