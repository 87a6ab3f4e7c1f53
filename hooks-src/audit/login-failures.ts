// What a failed login's audit entry says: the answer it got (status and our message, as the
// user saw it) and, when WeChat refused, WeChat's errcode.
import { ApiFailure, failures } from "../errors";
import { apiFailureForWechatError, isWechatError, WechatErrcodeError } from "../wechat/errors";
import { USERS_COLLECTION } from "../users/users";
import type { WechatSession } from "../wechat/client";
import { auditRequest, subjectOf, type AuditDetails } from "./audit";

export function loginFailureDetails(error: unknown): AuditDetails {
  const failure =
    error instanceof ApiFailure ? error : isWechatError(error) ? apiFailureForWechatError(error, "users_wx_code") : failures.internal();
  const details: AuditDetails = { status: failure.status, reason: failure.msg };
  const fields = Object.keys(failure.data);
  if (fields.length > 0) details.fields = fields.map((field) => `${field}:${failure.data[field].code}`).join(",");
  if (error instanceof WechatErrcodeError) details.errcode = error.errcode;
  return details;
}

// The user is known when WeChat named them and they have an account (a disabled one, say).
export function auditLoginFailure(e: core.RequestEvent, error: unknown, identity: WechatSession | undefined): void {
  auditRequest(e, "login_failed", subjectOf(identity ? findUserByOpenid(identity.openid) : null), loginFailureDetails(error));
}

function findUserByOpenid(openid: string): core.Record | null {
  try {
    return $app.findFirstRecordByData(USERS_COLLECTION, "openid", openid);
  } catch {
    return null;
  }
}
