// Why a push was refused, in our envelope. WeChat only looks at the status; the route logs
// the reason (never the payload or a signature).
import { ApiFailure } from "../errors";

export const pushFailures = {
  notConfigured: () => new ApiFailure(503, "消息推送未启用"),
  unsigned: () => new ApiFailure(401, "推送缺少签名参数"),
  badSignature: () => new ApiFailure(401, "推送签名无效"),
  stale: () => new ApiFailure(401, "推送时间戳超出允许范围"),
  replayed: () => new ApiFailure(401, "重复的推送"),
  wrongMode: (expected: string) => new ApiFailure(400, `推送模式不符,服务端配置为${expected}`),
  badBody: () => new ApiFailure(400, "推送内容无法解析"),
};

export const aesDecryptionFailed = (detail: string) => new ApiFailure(400, `推送密文无法解密: ${detail}`);
