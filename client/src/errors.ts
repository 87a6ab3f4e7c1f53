// The one error every SDK call rejects with, shaped after PocketBase's ClientResponseError.
// It reads both envelopes: ours `{code, msg, data}` and PocketBase's own `{status, message, data}`.

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
}

export class BaiClientError extends Error {
  /** The request's URL. */
  readonly url: string;
  /** HTTP status; 0 when no answer arrived (network failure, timeout, wx.login failure). */
  readonly status: number;
  /** The envelope's `code` (equal to the HTTP status on BAI's routes), else the status. */
  readonly code: number;
  /** The envelope's `msg` (PocketBase's `message`), else a description of what failed. */
  readonly msg: string;
  /** The envelope's `data`, `{}` when there is none. */
  readonly data: Record<string, unknown>;
  /** The envelope's stable `error` id (`account_pending_approval`, `phone_login_required`, …), `""` when there is none. */
  readonly error: string;
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
    this.msg = msg;
    this.data = isObject(body.data) ? body.data : {};
    this.error = typeof body.error === "string" ? body.error : "";
    this.fieldErrors = fieldErrorsIn(this.data);
    this.response = details.body;
    this.cause = details.cause;
  }

  /** True when no HTTP answer arrived. */
  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /**
   * True when the account itself is refused: 403 when staff disabled it (`账号已被禁用,请联系管理员`), it is
   * being deleted or waits for approval, 410 once it was deleted. `msg` says which; logging in again is the
   * user's decision. Not for a person the registration policy turns away (see needsPhoneLogin, isRegistrationClosed).
   */
  get isAccountUnavailable(): boolean {
    return (this.status === 403 && !REGISTRATION_REFUSALS.has(this.error)) || this.status === 410;
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

// 403s that turn a person away before they have an account.
const REGISTRATION_REFUSALS = new Set(["phone_login_required", "registration_closed", "phone_not_registered"]);

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
