// Pure rules of the account lifecycle: the four statuses, the cooling-off period of a deletion
// (注销冷静期), and what each change of users_status does. No PocketBase access here.
import { failures, type ApiFailure } from "../errors";

export const ACCOUNT_STATUS = {
  active: "正常",
  disabled: "禁用",
  deletionPending: "注销中",
  deleted: "已注销",
} as const;

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
  if (status === ACCOUNT_STATUS.deletionPending) return failures.accountDeletionPending();
  if (status === ACCOUNT_STATUS.deleted) return failures.accountDeleted();
  return null;
}

export interface StatusChangeEffects {
  refusal: string | null;
  rotateTokenKey: boolean;
  scheduleDeletion: boolean;
  clearDeletionDue: boolean;
  erase: boolean;
}

// Applied on every save of a user, whoever saves it (our routes, the cron, staff in the admin
// UI): an erased account stays erased, the due date exists exactly while 注销中, and an
// account that is disabled or leaves for deletion loses every token it holds.
export function effectsOfStatusChange(before: string, after: string): StatusChangeEffects {
  const deletion = after === ACCOUNT_STATUS.deletionPending || after === ACCOUNT_STATUS.deleted;
  return {
    refusal: before === ACCOUNT_STATUS.deleted && after !== ACCOUNT_STATUS.deleted ? "已注销的账号不能恢复" : null,
    rotateTokenKey: (deletion || after === ACCOUNT_STATUS.disabled) && before !== after,
    scheduleDeletion: after === ACCOUNT_STATUS.deletionPending && before !== after,
    clearDeletionDue: after !== ACCOUNT_STATUS.deletionPending,
    erase: after === ACCOUNT_STATUS.deleted,
  };
}

export type StatusEvent = "account_disabled" | "account_enabled" | "deletion_requested" | "deletion_cancelled" | "deletion_completed";

// The audit events a change of users_status stands for.
export function statusChangeEvents(before: string, after: string): StatusEvent[] {
  if (before === after) return [];
  const { active, disabled, deletionPending, deleted } = ACCOUNT_STATUS;
  if (after === deleted) return ["deletion_completed"];
  const events: StatusEvent[] = [];
  if (before === deletionPending) events.push("deletion_cancelled");
  if (after === deletionPending) events.push("deletion_requested");
  if (after === disabled) events.push("account_disabled");
  if (after === active && before === disabled) events.push("account_enabled");
  return events;
}
