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
    // A stable identifier a program can tell this failure by, beside the envelope's code.
    readonly error?: string,
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
  // Who may register (registration/policy.ts).
  accountPendingApproval: () => new ApiFailure(403, "账号待管理员审核,审核通过后即可登录", {}, "account_pending_approval"),
  phoneLoginRequired: () => new ApiFailure(403, "请使用手机号快捷登录", {}, "phone_login_required"),
  phoneNotRegistered: () => new ApiFailure(403, "该手机号未登记,请联系管理员开通账号", {}, "phone_not_registered"),
  registrationClosed: () => new ApiFailure(403, "暂不开放注册", {}, "registration_closed"),
  phoneInUse: () => new ApiFailure(409, "该手机号已属于另一个微信账号,请联系管理员", {}, "phone_in_use"),
  duplicatePhoneUsers: () => new ApiFailure(409, "该手机号对应多个账号,请联系管理员处理", {}, "duplicate_phone_users"),
  identityNotFound: () => new ApiFailure(404, "身份不存在", {}, "identity_not_found"),
  bindConflict: () => new ApiFailure(409, "该微信身份已属于另一个账号,如为同一人请联系管理员合并", {}, "bind_conflict"),
  lastIdentity: () => new ApiFailure(409, "这是账号唯一的登录方式且未绑定手机号,不能解绑", {}, "last_identity"),
  mergeSameUser: () => new ApiFailure(400, "不能把用户合并到自己", {}, "merge_same_user"),
  mergeRefusedStatus: (status: string) => new ApiFailure(409, `${status}的账号不能合并`, {}, "merge_refused_status"),
  mergeConflict: (fields: string[]) =>
    new ApiFailure(
      409,
      "两个用户的以下字段不同,请在 winners 中指明保留哪一方",
      Object.fromEntries(fields.map((field) => [field, { code: "merge_conflict", message: "两个用户不同,请指明保留 into 或 from 的值" }])),
      "merge_conflict",
    ),
  staffOnly: () => new ApiFailure(403, "仅限管理员", {}, "superuser_required"),
  accountConflict: () => new ApiFailure(409, "该微信身份对应多个账号,请联系管理员合并账号", {}, "account_conflict"),
  // A silent 公众号 login (snsapi_base) of nobody we know: the page must ask for snsapi_userinfo.
  unionidRequired: () => new ApiFailure(409, "需要用户授权(snsapi_userinfo)才能确认身份,请重新授权登录", {}, "unionid_required"),
  snapshotUser: () => new ApiFailure(403, "朋友圈快照页不能登录,请点击「使用完整服务」后重试", {}, "snapshot_user"),
  userNotFound: () => new ApiFailure(404, "用户不存在"),
  methodNotAllowed: (allowed: string) => new ApiFailure(405, `请求方法不允许,请使用 ${allowed}`),
  requestTimeout: () => new ApiFailure(408, "请求体接收超时"),
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
