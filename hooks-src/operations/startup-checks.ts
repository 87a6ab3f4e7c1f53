// Checks run once PocketBase has bootstrapped: loud lines for ops about a setup that half works.
import { readWechatConfig } from "../config";
import { logWarning } from "../log";

export function warnIfWechatNotConfigured(): void {
  if (!readWechatConfig()) {
    logWarning("WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET. /api/wechat/login answers 500 until then.");
    console.warn("[bai] WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET.");
  }
}
