// What a failed login's audit entry says: the answer it got (status and our message, as the
// user saw it) and, when WeChat refused, WeChat's errcode.
import { ApiFailure, failures } from "../errors";
import { apiFailureForWechatError, isWechatError, WechatErrcodeError } from "../wechat/errors";
import { USERS_COLLECTION } from "../users/users";
import { findIdentity } from "../identities/identities";
import type { SigningIn } from "../identities/resolution";
import { PendingRegistration } from "../account/sign-in";
import { auditRequest, subjectOf, type AuditDetails } from "./audit";

export function loginFailureDetails(error: unknown, codeField = "users_wx_code"): AuditDetails {
  const failure =
    error instanceof ApiFailure ? error : isWechatError(error) ? apiFailureForWechatError(error, codeField) : failures.internal();
  const details: AuditDetails = { status: failure.status, reason: failure.msg };
  const fields = Object.entries(failure.data).filter(([, problem]) => typeof problem?.code === "string");
  if (fields.length > 0) details.fields = fields.map(([field, problem]) => `${field}:${problem.code}`).join(",");
  if (failure.error) details.error = failure.error;
  if (error instanceof WechatErrcodeError) details.errcode = error.errcode;
  return details;
}

// The user is known when WeChat named them and they have an account (a disabled one, say).
export function auditLoginFailure(e: core.RequestEvent, error: unknown, signingIn: SigningIn | undefined, codeField = "users_wx_code"): void {
  // Registered, and waiting for staff's approval: the registration is an event of its own.
  if (error instanceof PendingRegistration) {
    auditRequest(e, "registration", subjectOf(error.user), { appid: signingIn?.app.appId ?? "", users_status: error.user.getString("users_status") });
  }
  const details = loginFailureDetails(error, codeField);
  if (signingIn) details.appid = signingIn.app.appId;
  auditRequest(e, "login_failed", subjectOf(signingIn ? userOf(signingIn) : null), details);
}

function userOf({ app, openid }: SigningIn): core.Record | null {
  const identity = findIdentity($app, app.appId, openid);
  try {
    return identity ? $app.findRecordById(USERS_COLLECTION, identity.getString("user")) : app.primary ? $app.findFirstRecordByData(USERS_COLLECTION, "openid", openid) : null;
  } catch {
    return null;
  }
}
