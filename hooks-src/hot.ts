// The hot bundle's surface (pb_hooks/bai_wechat_auth_hot.js): the routes nearly every user goes to,
// after the lean ones (registry/hot-routes.ts), the global dead-token check and the realtime tag. It holds about half
// of the code of the whole bundle (index.ts), so that a VM PocketBase builds for one of these
// requests loads only that half. Assigned to module.exports as index.ts is.
import { dispatcherOf } from "./registry/dispatch";
import { hotRoutes } from "./registry/hot-routes";
import { refuseDeadToken } from "./account/dead-tokens";
import { tagRealtimeClient } from "./account/token-revocation";

module.exports = { dispatch: dispatcherOf(hotRoutes), refuseDeadToken, tagRealtimeClient };
