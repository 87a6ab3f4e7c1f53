// Expected error bodies, shared by the end-to-end specs.
import { expect } from "vitest";

export const errorBody = (code: number, data: Record<string, unknown> = {}) => ({ code, msg: expect.any(String), data });

export const fieldProblem = (field: string, code: string) => errorBody(400, { [field]: { code, message: expect.any(String) } });

export const failures = {
  payloadTooLarge: { code: 413, msg: "请求体过大,上限 16 KB", data: {} },
  unsupportedMediaType: { code: 415, msg: "请求体必须为 application/json", data: {} },
  malformedJson: { code: 400, msg: "请求体不是合法的 JSON", data: {} },
  notAnObject: { code: 400, msg: "请求体必须是 JSON 对象", data: {} },
  missingToken: errorBody(401),
  invalidToken: { code: 401, msg: "token 无效或已过期,请重新登录", data: {} },
  accountDisabled: { code: 403, msg: "账号已被禁用,请联系管理员", data: {} },
  rateLimited: { code: 429, msg: "请求过于频繁,请稍后重试", data: {} },
  userNotFound: { code: 404, msg: "用户不存在", data: {} },
  duplicateLoginCode: { code: 429, msg: "重复请求过于频繁,请勿重复提交同一登录凭证", data: {} },
  wechatRateLimited: { code: 429, msg: "微信接口调用过于频繁,请稍后重试", data: {} },
  wechatUnavailable: { code: 502, msg: "微信服务暂时不可用,请稍后重试", data: {} },
  wechatTimeout: { code: 504, msg: "微信服务响应超时,请稍后重试", data: {} },
  internal: { code: 500, msg: "服务器内部错误", data: {} },
};
