// Expected error bodies, shared by the end-to-end specs: as answered by default, in zh-CN.
import { expect } from "vitest";

// A failure: its identifier, and its message twice (msg, and message for PocketBase's SDK).
export const failureBody = (code: number, error: string, msg: string, data: Record<string, unknown> = {}) => ({ code, error, msg, message: msg, data });

export const errorBody = (code: number, data: Record<string, unknown> = {}) => ({
  code,
  error: expect.any(String),
  msg: expect.any(String),
  message: expect.any(String),
  data,
});

export const fieldProblem = (field: string, code: string) => errorBody(400, { [field]: { code, message: expect.any(String) } });

export const failures = {
  payloadTooLarge: failureBody(413, "payload_too_large", "请求体过大,上限 16 KB"),
  unsupportedMediaType: failureBody(415, "unsupported_media_type", "请求体必须为 application/json"),
  malformedJson: failureBody(400, "malformed_json", "请求体不是合法的 JSON"),
  notAnObject: failureBody(400, "body_not_an_object", "请求体必须是 JSON 对象"),
  missingToken: failureBody(401, "missing_token", "缺少 Authorization: Bearer <token>"),
  invalidToken: failureBody(401, "invalid_token", "token 无效或已过期,请重新登录"),
  accountDisabled: failureBody(403, "account_disabled", "账号已被禁用,请联系管理员"),
  accountDeletionPending: failureBody(403, "account_deletion_pending", "账号注销中,重新登录即可撤销注销"),
  accountDeleted: failureBody(410, "account_deleted", "账号已注销"),
  rateLimited: failureBody(429, "rate_limited", "请求过于频繁,请稍后重试"),
  userNotFound: failureBody(404, "user_not_found", "用户不存在"),
  duplicateLoginCode: failureBody(429, "duplicate_login_code", "重复请求过于频繁,请勿重复提交同一登录凭证"),
  wechatRateLimited: failureBody(429, "wechat_rate_limited", "微信接口调用过于频繁,请稍后重试"),
  wechatMisconfigured: failureBody(500, "wechat_misconfigured", "服务端微信配置错误"),
  wechatUnavailable: failureBody(502, "wechat_unavailable", "微信服务暂时不可用,请稍后重试"),
  wechatTimeout: failureBody(504, "wechat_timeout", "微信服务响应超时,请稍后重试"),
  internal: failureBody(500, "internal_error", "服务器内部错误"),
};
