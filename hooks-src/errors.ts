// Every failure this API can answer with, declared once. Rendered by http/responses.ts, in the
// request's language: each failure's message, in zh-CN and en, is in languages/messages.ts.
import { errorMessage, fieldCodeOf, fieldMessage, type ErrorId, type FieldMessageKey, type MessageParams } from "./languages/messages";

export interface FieldProblem {
  code: string;
  // In zh-CN; answered in the request's language, found by the code and this text.
  message: string;
}

export type FieldProblems = Record<string, FieldProblem>;

// What an answer's `data` holds: field problems, or, for the few answers that say what the client
// must show instead (the consent documents of a 409 or 428), that.
export type FailureData = FieldProblems | { documents: readonly object[] };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    // In zh-CN, as answered by default and written to the audit trail; its other language is
    // found by the identifier and this text.
    readonly msg: string,
    readonly data: FailureData,
    // A stable identifier a program can tell this failure by, beside the envelope's code. Every
    // failure has one: listed in spec/openapi.yaml (ErrorResponse.error), its message in both
    // languages in languages/messages.ts.
    readonly error: string,
  ) {
    super(msg);
  }
}

// A failure whose message is the catalog's.
// `error` is the identifier, or identifier.variant where one identifier has several messages.
export function failure(status: number, error: ErrorId, data: FailureData = {}, params: MessageParams = {}): ApiFailure {
  return new ApiFailure(status, errorMessage(error, params), data, fieldCodeOf(error));
}

// A field's problem whose message is the catalog's: its key is the code, or code.variant.
export function fieldProblem(key: FieldMessageKey, params?: MessageParams): FieldProblem {
  return { code: fieldCodeOf(key), message: fieldMessage(key, params) };
}

export const failures = {
  invalidFields: (problems: FieldProblems) => failure(400, "invalid_fields", problems),
  malformedJson: () => failure(400, "malformed_json"),
  bodyNotAnObject: () => failure(400, "body_not_an_object"),
  // WeChat's verdict on a code the request sent in `field`: the failure and the field's problem are one.
  wechatCodeRejected: (field: string, code: "wechat_code_invalid" | "wechat_code_used" | "wechat_code_blocked" | "wechat_code_wrong_app") =>
    failure(400, code, { [field]: fieldProblem(code) }),
  missingToken: () => failure(401, "missing_token"),
  invalidToken: () => failure(401, "invalid_token"),
  accountDisabled: () => failure(403, "account_disabled"),
  accountDeletionPending: () => failure(403, "account_deletion_pending"),
  accountDeleted: () => failure(410, "account_deleted"),
  // Who may register (registration/policy.ts).
  accountPendingApproval: () => failure(403, "account_pending_approval"),
  // A stricter authRule staff set on tbl_auth_users leaves this account out (http/auth.ts).
  authRuleRefused: () => failure(403, "auth_rule_refused"),
  phoneLoginRequired: () => failure(403, "phone_login_required"),
  phoneNotRegistered: () => failure(403, "phone_not_registered"),
  registrationClosed: () => failure(403, "registration_closed"),
  phoneInUse: () => failure(409, "phone_in_use"),
  duplicatePhoneUsers: () => failure(409, "duplicate_phone_users"),
  identityNotFound: () => failure(404, "identity_not_found"),
  bindConflict: () => failure(409, "bind_conflict"),
  lastIdentity: () => failure(409, "last_identity"),
  mergeSameUser: () => failure(400, "merge_same_user"),
  mergeRefusedStatus: (status: string) => failure(409, "merge_refused_status", {}, { status }),
  mergeConflict: (fields: string[]) =>
    failure(409, "merge_conflict", Object.fromEntries(fields.map((field) => [field, fieldProblem("merge_conflict")]))),
  staffOnly: () => failure(403, "superuser_required"),
  accountConflict: () => failure(409, "account_conflict"),
  // A silent 公众号 login (snsapi_base) of nobody we know: the page must ask for snsapi_userinfo.
  unionidRequired: () => failure(409, "unionid_required"),
  snapshotUser: () => failure(403, "snapshot_user"),
  userNotFound: () => failure(404, "user_not_found"),
  methodNotAllowed: (allowed: string) => failure(405, "method_not_allowed", {}, { allowed }),
  requestTimeout: () => failure(408, "request_timeout"),
  payloadTooLarge: (maxBytes: number) => failure(413, "payload_too_large", {}, { limit: describeSize(maxBytes) }),
  unsupportedMediaType: () => failure(415, "unsupported_media_type"),
  duplicateLoginCode: () => failure(429, "duplicate_login_code"),
  rateLimited: () => failure(429, "rate_limited"),
  wechatRateLimited: () => failure(429, "wechat_rate_limited"),
  wechatNotConfigured: () => failure(500, "wechat_not_configured"),
  wechatMisconfigured: () => failure(500, "wechat_misconfigured"),
  internal: () => failure(500, "internal_error"),
  wechatUnavailable: () => failure(502, "wechat_unavailable"),
  wechatTimeout: () => failure(504, "wechat_timeout"),
  databaseUnavailable: () => failure(503, "database_unavailable"),
  wechatAccessTokenRefreshing: () => failure(503, "wechat_access_token_refreshing"),
  wechatAccessTokenBudgetSpent: () => failure(503, "wechat_access_token_budget_spent"),
};

// 16384 → "16 KB", 2097152 → "2 MB": the limits are whole KiB or MiB.
export function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}
