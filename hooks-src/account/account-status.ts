// Pure rules of the account lifecycle: the five statuses, the cooling-off period of a deletion
// (注销冷静期), and what each change of users_status does. No PocketBase access here.
import { failures, type ApiFailure } from "../errors";

export const ACCOUNT_STATUS = {
  active: "正常",
  // Registered under the approval policy: no token until staff set 正常 (registration/policy.ts).
  pendingApproval: "待审核",
  disabled: "禁用",
  deletionPending: "注销中",
  deleted: "已注销",
} as const;

// tbl_auth_users' authRule as our migrations set it: only a 正常 account gets a token.
export const ACTIVE_ACCOUNTS_AUTH_RULE = 'users_status = "正常"';

// 15 days: long enough to change one's mind (the usual 注销冷静期 of Chinese apps), and short
// enough that the erasure finishes well inside the 15 working days GB/T 35273-2020 allows
// for handling a deletion request.
export const DEFAULT_DELETION_COOLOFF_DAYS = 15;
const MAX_DELETION_COOLOFF_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

// What an erasure empties; the record, its users_id and company_id stay, so that business
// data pointing at the user keeps its references. File fields, if staff add any, are emptied too.
export const ERASED_FIELDS = ["users_name", "users_phone", "users_picture", "openid", "unionid", "email"] as const;

export function readDeletionCooloffDays(getenv: (name: string) => string = $os.getenv): number {
  const raw = getenv("ACCOUNT_DELETION_COOLOFF_DAYS").trim();
  const days = Number(raw);
  return raw !== "" && Number.isInteger(days) && days >= 0 && days <= MAX_DELETION_COOLOFF_DAYS ? days : DEFAULT_DELETION_COOLOFF_DAYS;
}

export function deletionDueAt(requestedAt: Date, cooloffDays: number): Date {
  return new Date(requestedAt.getTime() + cooloffDays * DAY_MS);
}

// How login, profile and refresh-token answer a user who is not 正常. A 注销中 user is
// answered 403, not 401: a client that logs in again on every 401 would cancel the deletion.
export function failureForAccountStatus(status: string): ApiFailure | null {
  if (status === ACCOUNT_STATUS.disabled) return failures.accountDisabled();
  if (status === ACCOUNT_STATUS.pendingApproval) return failures.accountPendingApproval();
  if (status === ACCOUNT_STATUS.deletionPending) return failures.accountDeletionPending();
  if (status === ACCOUNT_STATUS.deleted) return failures.accountDeleted();
  return null;
}

export interface StatusChangeEffects {
  refusal: string | null;
  rotateTokenKey: boolean;
  erase: boolean;
}

// Applied on every save of a user, whoever saves it (our routes, the cron, staff in the admin
// UI): an erased account stays erased, and an account that is disabled, sent back to approval or
// leaves for deletion loses every token it holds.
export function effectsOfStatusChange(before: string, after: string): StatusChangeEffects {
  const deletion = after === ACCOUNT_STATUS.deletionPending || after === ACCOUNT_STATUS.deleted;
  return {
    refusal: before === ACCOUNT_STATUS.deleted && after !== ACCOUNT_STATUS.deleted ? "已注销的账号不能恢复" : null,
    rotateTokenKey: (deletion || after === ACCOUNT_STATUS.disabled || after === ACCOUNT_STATUS.pendingApproval) && before !== after,
    erase: after === ACCOUNT_STATUS.deleted,
  };
}

export const DELETION_DUE_REQUIRED = "注销中的账号必须有注销到期时间;要撤销注销,请把状态改回「正常」";

// What a save does to the due date (users_deletion_due). It exists exactly while 注销中, or the
// erasure would never come: entering 注销中 schedules it unless staff gave one; leaving clears
// it; a save that empties it on a 注销中 account is refused; a 注销中 account that has none
// already (from before this rule, or from an edit of the database itself) gets the one the
// erasure cron gives it (effectiveDeletionDue).
export type DeletionDueAction = "keep" | "schedule" | "clear" | "refuse" | "fromLastChange";

export function deletionDueAction(before: { status: string; due: string }, after: { status: string; due: string }): DeletionDueAction {
  if (after.status !== ACCOUNT_STATUS.deletionPending) return "clear";
  if (after.due !== "") return "keep";
  if (before.status !== ACCOUNT_STATUS.deletionPending) return "schedule";
  return before.due !== "" ? "refuse" : "fromLastChange";
}

// When a 注销中 account is erased. Without a due date: a cooling-off period after its last change,
// since the deletion was asked for no later than that. So it is never erased sooner than the
// user was promised, nor left forever; "due at once" could erase, irreversibly, an account whose
// date staff had emptied by mistake on the day of the request.
export function effectiveDeletionDue(due: Date | null, lastChangedAt: Date, cooloffDays: number): Date {
  return due ?? deletionDueAt(lastChangedAt, cooloffDays);
}

export type StatusEvent = "account_disabled" | "account_enabled" | "account_approved" | "deletion_requested" | "deletion_cancelled" | "deletion_completed";

// The audit events a change of users_status stands for.
export function statusChangeEvents(before: string, after: string): StatusEvent[] {
  if (before === after) return [];
  const { active, pendingApproval, disabled, deletionPending, deleted } = ACCOUNT_STATUS;
  if (after === deleted) return ["deletion_completed"];
  const events: StatusEvent[] = [];
  if (before === deletionPending) events.push("deletion_cancelled");
  if (after === deletionPending) events.push("deletion_requested");
  if (after === disabled) events.push("account_disabled");
  if (after === active && before === disabled) events.push("account_enabled");
  if (after === active && before === pendingApproval) events.push("account_approved");
  return events;
}
