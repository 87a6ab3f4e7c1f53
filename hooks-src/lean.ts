// The lean bundle's surface (pb_hooks/bai_wechat_auth_lean.js): the routes of registry/lean-routes.ts
// only. Assigned to module.exports as index.ts is.
import { dispatcherOf } from "./registry/dispatch";
import { leanRoutes } from "./registry/lean-routes";

module.exports = { dispatch: dispatcherOf(leanRoutes) };
