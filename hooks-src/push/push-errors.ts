// Why a push was refused, in our envelope. WeChat only looks at the status; the route logs
// the reason (never the payload or a signature).
import { failure } from "../errors";

export const pushFailures = {
  notConfigured: () => failure(503, "push_not_configured"),
  unsigned: () => failure(401, "push_unsigned"),
  badSignature: () => failure(401, "push_bad_signature"),
  stale: () => failure(401, "push_stale"),
  replayed: () => failure(401, "push_replayed"),
  wrongMode: (mode: "明文模式" | "安全模式") => failure(400, "push_wrong_mode", {}, { mode }),
  badBody: () => failure(400, "push_unreadable"),
};

export const aesDecryptionFailed = (reason: string) => failure(400, "push_undecryptable", {}, { reason });
