// The one error every SDK call rejects with, shaped after PocketBase's ClientResponseError.
// It reads both envelopes: ours `{code, error, msg, message, data}` and PocketBase's own `{status, message, data}`.

/** BAI's identifiers of an account that is refused itself: disabled, being deleted, deleted, waiting for approval, left out by staff's auth rule. */
export const ACCOUNT_UNAVAILABLE_ERRORS = ["account_disabled", "account_deletion_pending", "account_deleted", "account_pending_approval", "auth_rule_refused"];

export interface FieldError {
  code: string;
  message: string;
}

export interface ClientErrorDetails {
  url: string;
  status: number;
  body?: unknown;
  cause?: unknown;
  /** Said instead of the envelope's msg: for failures that are not the server's answer (network, garbled body). */
  message?: string;
  /** The identifier of a failure the SDK finds itself, instead of the envelope's. */
  error?: string;
}

export class BaiClientError extends Error {
  /** The request's URL. */
  readonly url: string;
  /** HTTP status; 0 when no answer arrived (network failure, timeout, wx.login failure). */
  readonly status: number;
  /** The envelope's `code` (equal to the HTTP status on BAI's routes), else the status. */
  readonly code: number;
  /**
   * BAI's stable identifier of the failure (the envelope's `error`, e.g. `account_disabled`, `invalid_token`,
   * `rate_limited`; spec/openapi.yaml lists them all); `""` when there is none (PocketBase's own answers, a network failure).
   * Tell failures apart by this, not by `msg`, whose language follows WeChat's.
   */
  readonly error: string;
  /** The envelope's `msg` (PocketBase's `message`), else a description of what failed. */
  readonly msg: string;
  /** The envelope's `data`, `{}` when there is none. */
  readonly data: Record<string, unknown>;
  /** The field problems in `data`, keyed by field name: `{users_name: {code, message}}`. */
  readonly fieldErrors: Record<string, FieldError>;
  /** What the server answered, as received. */
  readonly response: unknown;
  /** The underlying failure (wx's errMsg object, a parse error), if any. */
  readonly cause: unknown;

  constructor(details: ClientErrorDetails) {
    const body = isObject(details.body) ? details.body : {};
    const msg = details.message || (typeof body.msg === "string" ? body.msg : typeof body.message === "string" ? body.message : `HTTP ${details.status}`);
    super(msg);
    // Keeps instanceof working when TypeScript or a bundler downlevels the class.
    Object.setPrototypeOf(this, BaiClientError.prototype);
    this.name = "BaiClientError";
    this.url = details.url;
    this.status = details.status;
    this.code = typeof body.code === "number" ? body.code : typeof body.status === "number" ? body.status : details.status;
    this.error = details.error || (typeof body.error === "string" ? body.error : "");
    this.msg = msg;
    this.data = isObject(body.data) ? body.data : {};
    this.fieldErrors = fieldErrorsIn(this.data);
    this.response = details.body;
    this.cause = details.cause;
  }

  /** True when no HTTP answer arrived. */
  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /**
   * True when the account itself is refused, told by `error` alone: `account_disabled` (staff disabled it),
   * `account_deletion_pending` (being deleted), `account_deleted`, `account_pending_approval` (waiting for staff
   * to approve), `auth_rule_refused` (a sign-in condition staff set leaves it out). Logging in again is the user's decision. Another 403 (PocketBase's "Only superusers can perform
   * this action", say) is not one, nor a person the registration policy turns away (see needsPhoneLogin, isRegistrationClosed).
   */
  get isAccountUnavailable(): boolean {
    return ACCOUNT_UNAVAILABLE_ERRORS.indexOf(this.error) >= 0;
  }

  /** 403 `phone_login_required`: the server registers new people only by phone: show `<button open-type="getPhoneNumber">` and call phoneLogin(). */
  get needsPhoneLogin(): boolean {
    return this.status === 403 && this.error === "phone_login_required";
  }

  /** 403 `account_pending_approval`: registered, and waiting for staff to approve; logging in works once they have. */
  get isPendingApproval(): boolean {
    return this.status === 403 && this.error === "account_pending_approval";
  }

  /** 403 `registration_closed` (the server takes no new users) or `phone_not_registered` (this number is not one staff entered). */
  get isRegistrationClosed(): boolean {
    return this.status === 403 && (this.error === "registration_closed" || this.error === "phone_not_registered");
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldErrorsIn(data: Record<string, unknown>): Record<string, FieldError> {
  const fields: Record<string, FieldError> = {};
  for (const name of Object.keys(data)) {
    const problem = data[name];
    if (isObject(problem) && typeof problem.code === "string" && typeof problem.message === "string") {
      fields[name] = { code: problem.code, message: problem.message };
    }
  }
  return fields;
}
