// The bundle's surface: build.mjs registers each route below with routerAdd. Every function
// it registers require()s this bundle itself, because PocketBase runs each one alone.
import { readWechatConfig } from "./config";
import { logWarning } from "./log";

export { health, helloWorld } from "./routes/system";
export { login } from "./routes/wechat-login";
export { profile } from "./routes/wechat-profile";
export { refreshToken } from "./routes/wechat-refresh-token";
export { logout } from "./routes/wechat-logout";
export { deleteAccount } from "./routes/wechat-delete-account";
export { methodNotAllowed, passedPocketBaseChecks } from "./http/responses";
export { refuseEmailChange, revokeTokensOfDisabledUser } from "./users/account-hooks";
export { sweepExpiredLoginCodeClaims } from "./wechat/login-code-claims";
export { loadRevokedTokens, refuseRevokedToken, sweepExpiredRevokedTokens, tagRealtimeClient } from "./account/token-revocation";
export { applyAccountStatusRules } from "./account/account-status-hooks";
export { eraseDueAccounts } from "./account/deletion";
export { auditStaffStatusChange } from "./audit/staff-changes";

// `envelope: true` routes run in a middleware around PocketBase's rate limiter, so that its
// refusals get our envelope (see passedPocketBaseChecks). The health checks skip that:
// monitors want the cheapest possible request.
export const routes = [
  { method: "POST", path: "/api/system/health", handler: "health", envelope: false },
  { method: "POST", path: "/api/system/test-helloworld", handler: "helloWorld", envelope: false },
  { method: "POST", path: "/api/wechat/login", handler: "login", envelope: true },
  { method: "POST", path: "/api/wechat/profile", handler: "profile", envelope: true },
  { method: "POST", path: "/api/wechat/refresh-token", handler: "refreshToken", envelope: true },
  { method: "POST", path: "/api/wechat/logout", handler: "logout", envelope: true },
  { method: "POST", path: "/api/wechat/delete-account", handler: "deleteAccount", envelope: true },
] as const;

export function warnIfWechatNotConfigured(): void {
  if (!readWechatConfig()) {
    logWarning("WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET. /api/wechat/login answers 500 until then.");
    console.warn("[bai] WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET.");
  }
}
