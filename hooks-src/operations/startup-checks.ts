// Checks run once PocketBase has bootstrapped: loud lines for ops about a setup that half works.
import { readWechatConfig } from "../config";
import { readContentSecurityConfig } from "../content-security/config";
import { logWarning } from "../log";

export function warnIfWechatNotConfigured(): void {
  if (!readWechatConfig()) {
    logWarning("WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET. /api/wechat/login answers 500 until then.");
    console.warn("[bai] WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET.");
  }
}

// Settings that were set but not understood, and avatar checks that could never report back.
export function warnAboutContentSecuritySettings(): void {
  const config = readContentSecurityConfig();
  for (const problem of config.problems) logWarning(`Content security: ${problem}`);
  if (config.avatarCheck && !config.push) {
    logWarning("Content security: WECHAT_AVATAR_CHECK is on but WECHAT_PUSH_TOKEN is not set; avatars are not submitted to mediaCheckAsync.");
  }
}
