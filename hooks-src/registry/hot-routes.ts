// The routes nearly every user of a mini-program goes to, after the lean ones (lean-routes.ts): its
// start (login, consents), profile edits and logout. They are served from a bundle of
// their own, pb_hooks/bai_wechat_auth_hot.js, about half of the whole one: a VM that PocketBase
// builds for one request (when every pooled VM is busy) loads the bundle before it can answer.
// A route added here must import nothing a rarer route needs alone (avatars, push, staff tools).
import { MAX_BODY_BYTES } from "../http/request";
import { login } from "../routes/wechat-login";
import { profile } from "../routes/wechat-profile";
import { profileFields } from "../routes/wechat-profile-fields";
import { logout } from "../routes/wechat-logout";
import { consentsStatus, recordConsents } from "../routes/wechat-consents";
import type { Route } from "./route";

export const hotRoutes: readonly Route[] = [
  { method: "POST", path: "/api/wechat/login", handle: login, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile", handle: profile, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/profile/fields", handle: profileFields, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/logout", handle: logout, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "GET", path: "/api/wechat/consents", handle: consentsStatus, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/consents", handle: recordConsents, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
];
