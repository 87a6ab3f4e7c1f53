// Content-security settings, from the environment (read per request, like the WeChat ones).
//   WECHAT_PUSH_TOKEN              the message-push Token (消息推送 → Token); unset: push endpoint off
//   WECHAT_PUSH_AES_KEY            the EncodingAESKey; set: 安全模式, only encrypted pushes are accepted;
//                                  unset: 明文模式, only plaintext pushes are accepted
//   WECHAT_NICKNAME_CHECK          on (default) | off: msgSecCheck on users_name before the phone call
//   WECHAT_AVATAR_CHECK            on (default) | off: mediaCheckAsync on uploaded avatars (needs the push endpoint)
//   WECHAT_CONTENT_CHECK_FAILURE   open (default): when WeChat's check fails, store and flag for staff;
//                                  closed: answer 503 and store nothing
import { isEncodingAesKey } from "../push/push-crypto";

export interface PushConfig {
  token: string;
  encodingAesKey: string; // "" in 明文模式
}

export interface ContentSecurityConfig {
  push: PushConfig | null;
  nicknameCheck: boolean;
  avatarCheck: boolean;
  failClosed: boolean;
  // Settings that were set but not understood; the defaults above apply instead.
  problems: string[];
}

export function readContentSecurityConfig(getenv: (name: string) => string = $os.getenv): ContentSecurityConfig {
  const problems: string[] = [];
  const choice = (name: string, values: readonly string[]): string => {
    const raw = getenv(name).trim().toLowerCase();
    if (raw === "") return values[0];
    if (values.includes(raw)) return raw;
    problems.push(`${name} must be ${values.join(" or ")}; using ${values[0]}`);
    return values[0];
  };
  const token = getenv("WECHAT_PUSH_TOKEN").trim();
  const encodingAesKey = getenv("WECHAT_PUSH_AES_KEY").trim();
  let push: PushConfig | null = token === "" ? null : { token, encodingAesKey };
  if (push && encodingAesKey !== "" && !isEncodingAesKey(encodingAesKey)) {
    problems.push("WECHAT_PUSH_AES_KEY is not a 43-character EncodingAESKey; the push endpoint refuses every push");
    push = null;
  }
  return {
    push,
    nicknameCheck: choice("WECHAT_NICKNAME_CHECK", ["on", "off"]) === "on",
    avatarCheck: choice("WECHAT_AVATAR_CHECK", ["on", "off"]) === "on",
    failClosed: choice("WECHAT_CONTENT_CHECK_FAILURE", ["open", "closed"]) === "closed",
    problems,
  };
}
