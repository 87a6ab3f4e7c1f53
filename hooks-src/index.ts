// The bundle's surface: build.mjs registers each route below with routerAdd, in a
// handler that require()s this bundle, because PocketBase runs every handler alone.
import { readWechatConfig } from "./config";
import { logWarning } from "./log";

export { health, helloWorld } from "./routes/system";
export { login } from "./routes/wechat-login";
export { profile } from "./routes/wechat-profile";
export { refreshToken } from "./routes/wechat-refresh-token";
export { sweepExpiredLoginCodeClaims } from "./wechat/login-code-claims";

export const routes = [
  { method: "POST", path: "/api/system/health", handler: "health" },
  { method: "POST", path: "/api/system/test-helloworld", handler: "helloWorld" },
  { method: "POST", path: "/api/wechat/login", handler: "login" },
  { method: "POST", path: "/api/wechat/profile", handler: "profile" },
  { method: "POST", path: "/api/wechat/refresh-token", handler: "refreshToken" },
] as const;

export function warnIfWechatNotConfigured(): void {
  if (!readWechatConfig()) {
    logWarning("WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET. /api/wechat/login answers 500 until then.");
    console.warn("[bai] WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET.");
  }
}
