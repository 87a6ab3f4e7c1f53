// Every HTTP route of ours, in three tables: the lean routes (lean-routes.ts), the hot ones (hot-routes.ts)
// and the rest, here.
// pb_hooks/bai_wechat_auth.pb.js registers each entry (and answers 405 for the other methods
// on its path), so adding a route is one line in one of them. Each table is served from its own
// bundle: the lean and the hot ones are loaded by far the most often, so they hold only what their routes need.
import { MAX_AVATAR_BODY_BYTES } from "../avatars/avatar-upload";
import { MAX_BODY_BYTES } from "../http/request";
import { updateRecord } from "../records/record-update";
import { helloWorld } from "../routes/system";
import { uploadAvatar } from "../routes/wechat-avatar";
import { MAX_PUSH_BODY_BYTES, pushEvent, pushHandshake, receivePush } from "../routes/wechat-push";
import { oaLogin } from "../routes/wechat-oa-login";
import { phoneLogin } from "../routes/wechat-phone-login";
import { deleteAccount } from "../routes/wechat-delete-account";
import { myData } from "../routes/wechat-my-data";
import { auditExport } from "../routes/wechat-admin-audit-export";
import { mergeUsersRoute } from "../routes/wechat-admin-merge";
import { bindIdentityRoute, listIdentities, unbindIdentityRoute } from "../routes/wechat-identities";
import { hotRoutes } from "./hot-routes";
import { leanRoutes } from "./lean-routes";
import type { Route } from "./route";

// The bundles' file names in pb_hooks/, as scripts/bundle-options.mjs writes them.
export const LEAN_BUNDLE = "bai_wechat_auth_lean.js";
export const HOT_BUNDLE = "bai_wechat_auth_hot.js";
export const MAIN_BUNDLE = "bai_wechat_auth.js";

const otherRoutes: readonly Route[] = [
  { method: "POST", path: "/api/system/test-helloworld", handle: helloWorld, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/oa/login", handle: oaLogin, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/phone-login", handle: phoneLogin, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
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
  { method: "GET", path: "/api/wechat/my-data", handle: myData, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
  { method: "GET", path: "/api/wechat/admin/audit-export", handle: auditExport, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
];

export const routeBundles: ReadonlyArray<{ bundle: string; routes: readonly Route[] }> = [
  { bundle: LEAN_BUNDLE, routes: leanRoutes },
  { bundle: HOT_BUNDLE, routes: hotRoutes },
  { bundle: MAIN_BUNDLE, routes: otherRoutes },
];

export const routes: readonly Route[] = routeBundles.flatMap((entry) => entry.routes);
