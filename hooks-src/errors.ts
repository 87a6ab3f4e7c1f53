// Every failure this API can answer with, declared once. Rendered by http/responses.ts.

export interface FieldProblem {
  code: string;
  message: string;
}

export type FieldProblems = Record<string, FieldProblem>;

// What an answer's `data` holds: field problems, or, for the few answers that say what the client
// must show instead (the consent documents of a 409 or 428), that.
export type FailureData = FieldProblems | { documents: readonly object[] };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly msg: string,
    readonly data: FailureData = {},
  ) {
    super(msg);
  }
}

export const failures = {
  invalidFields: (problems: FieldProblems) => new ApiFailure(400, "参数错误", problems),
  malformedJson: () => new ApiFailure(400, "请求体不是合法的 JSON"),
  bodyNotAnObject: () => new ApiFailure(400, "请求体必须是 JSON 对象"),
  wechatCodeRejected: (field: string, problem: FieldProblem) => new ApiFailure(400, problem.message, { [field]: problem }),
  missingToken: () => new ApiFailure(401, "缺少 Authorization: Bearer <token>"),
  invalidToken: () => new ApiFailure(401, "token 无效或已过期,请重新登录"),
  accountDisabled: () => new ApiFailure(403, "账号已被禁用,请联系管理员"),
  accountDeletionPending: () => new ApiFailure(403, "账号注销中,重新登录即可撤销注销"),
  accountDeleted: () => new ApiFailure(410, "账号已注销"),
  userNotFound: () => new ApiFailure(404, "用户不存在"),
  methodNotAllowed: (allowed: string) => new ApiFailure(405, `请求方法不允许,请使用 ${allowed}`),
  payloadTooLarge: (maxBytes: number) => new ApiFailure(413, `请求体过大,上限 ${describeSize(maxBytes)}`),
  unsupportedMediaType: () => new ApiFailure(415, "请求体必须为 application/json"),
  duplicateLoginCode: () => new ApiFailure(429, "重复请求过于频繁,请勿重复提交同一登录凭证"),
  rateLimited: () => new ApiFailure(429, "请求过于频繁,请稍后重试"),
  wechatRateLimited: () => new ApiFailure(429, "微信接口调用过于频繁,请稍后重试"),
  wechatNotConfigured: () => new ApiFailure(500, "WeChat is not configured: 服务端未配置微信小程序 appid/secret"),
  wechatMisconfigured: () => new ApiFailure(500, "服务端微信配置错误"),
  internal: () => new ApiFailure(500, "服务器内部错误"),
  wechatUnavailable: () => new ApiFailure(502, "微信服务暂时不可用,请稍后重试"),
  wechatTimeout: () => new ApiFailure(504, "微信服务响应超时,请稍后重试"),
  databaseUnavailable: () => new ApiFailure(503, "数据库不可用"),
  wechatAccessTokenRefreshing: () => new ApiFailure(503, "微信接口凭据正在刷新,请稍后重试"),
  wechatAccessTokenBudgetSpent: () => new ApiFailure(503, "微信接口凭据今日刷新次数已用尽,请稍后重试"),
};

// 16384 → "16 KB", 2097152 → "2 MB": the limits are whole KiB or MiB.
export function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}
