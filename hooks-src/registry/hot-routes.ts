// The routes nearly every request of a mini-program goes to: its start (login, consents), a token's
// renewal, profile edits, logout, and monitors' health checks. They are served from a bundle of
// their own, pb_hooks/bai_wechat_auth_hot.js, about half of the whole one: a VM that PocketBase
// builds for one request (when every pooled VM is busy) loads the bundle before it can answer.
// A route added here must import nothing a rarer route needs alone (avatars, push, staff tools).
import { MAX_BODY_BYTES } from "../http/request";
import { health } from "../routes/system";
import { login } from "../routes/wechat-login";
import { profile } from "../routes/wechat-profile";
import { profileFields } from "../routes/wechat-profile-fields";
import { refreshToken } from "../routes/wechat-refresh-token";
import { logout } from "../routes/wechat-logout";
import { consentsStatus, recordConsents } from "../routes/wechat-consents";
import type { Route } from "./route";

export const hotRoutes: readonly Route[] = [
  { method: "POST", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  // Uptime monitors send GET (or HEAD, which a GET route answers).
  { method: "GET", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/login", handle: login, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile", handle: profile, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile/fields", handle: profileFields, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/refresh-token", handle: refreshToken, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/logout", handle: logout, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "GET", path: "/api/wechat/consents", handle: consentsStatus, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/consents", handle: recordConsents, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
];
