// Every HTTP route of ours, in one table. pb_hooks/bai_wechat_auth.pb.js registers each entry
// (and answers 405 for the other methods on its path), so adding a route is one line here.
import { MAX_AVATAR_BODY_BYTES } from "../avatars/avatar-upload";
import { MAX_BODY_BYTES } from "../http/request";
import { updateRecord } from "../records/record-update";
import { health, helloWorld } from "../routes/system";
import { uploadAvatar } from "../routes/wechat-avatar";
import { MAX_PUSH_BODY_BYTES, pushEvent, pushHandshake, receivePush } from "../routes/wechat-push";
import { login } from "../routes/wechat-login";
import { oaLogin } from "../routes/wechat-oa-login";
import { phoneLogin } from "../routes/wechat-phone-login";
import { profile } from "../routes/wechat-profile";
import { profileFields } from "../routes/wechat-profile-fields";
import { refreshToken } from "../routes/wechat-refresh-token";
import { logout } from "../routes/wechat-logout";
import { deleteAccount } from "../routes/wechat-delete-account";
import { consentsStatus, recordConsents } from "../routes/wechat-consents";
import { myData } from "../routes/wechat-my-data";
import { auditExport } from "../routes/wechat-admin-audit-export";
import { mergeUsersRoute } from "../routes/wechat-admin-merge";
import { bindIdentityRoute, listIdentities, unbindIdentityRoute } from "../routes/wechat-identities";

export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string;
  handle: (e: core.RequestEvent) => void;
  // Runs as a middleware just outside PocketBase's rate limiter, so that the limiter's
  // refusals get our envelope (see passedPocketBaseChecks). Health checks skip that:
  // monitors want the cheapest possible request.
  envelope: boolean;
  // Enforced by PocketBase's $apis.bodyLimit while the body is read, chunked or not; 0 for none.
  maxBodyBytes: number;
  // Optional: runs first, before PocketBase's checks (rate limit, body limit) can answer.
  beforeChecks?: (e: core.RequestEvent) => void;
}

export const routes: readonly Route[] = [
  { method: "POST", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  // Uptime monitors send GET (or HEAD, which a GET route answers).
  { method: "GET", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/system/test-helloworld", handle: helloWorld, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/login", handle: login, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/oa/login", handle: oaLogin, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/phone-login", handle: phoneLogin, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile", handle: profile, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile/fields", handle: profileFields, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/refresh-token", handle: refreshToken, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/logout", handle: logout, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/delete-account", handle: deleteAccount, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  // PocketBase's own update, in PocketBase's own shape: its answers, its refusals and its body
  // limit (the collection's, applied when the request is handed on), not our envelope.
  { method: "POST", path: "/api/wechat/records/{collection}/{id}", handle: updateRecord, envelope: false, maxBodyBytes: 0 },
  { method: "GET", path: "/api/wechat/identities", handle: listIdentities, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/identities", handle: bindIdentityRoute, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "DELETE", path: "/api/wechat/identities/{id}", handle: unbindIdentityRoute, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/admin/merge-users", handle: mergeUsersRoute, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/avatar", handle: uploadAvatar, envelope: true, maxBodyBytes: MAX_AVATAR_BODY_BYTES },
  { method: "GET", path: "/api/wechat/push", handle: pushHandshake, envelope: true, maxBodyBytes: MAX_BODY_BYTES, beforeChecks: receivePush },
  { method: "POST", path: "/api/wechat/push", handle: pushEvent, envelope: true, maxBodyBytes: MAX_PUSH_BODY_BYTES, beforeChecks: receivePush },
  { method: "GET", path: "/api/wechat/consents", handle: consentsStatus, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/consents", handle: recordConsents, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "GET", path: "/api/wechat/my-data", handle: myData, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "GET", path: "/api/wechat/admin/audit-export", handle: auditExport, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
];
