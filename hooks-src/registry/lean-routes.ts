// The two routes called most, all day long: a token's renewal (every launch of a signed-in
// mini-program) and monitors' health checks. They are served from a bundle of their own,
// pb_hooks/bai_wechat_auth_lean.js, about a third of the hot one. A VM that PocketBase builds for one
// request loads its route's bundle first, and goja makes a function object for every function in it:
// on such a VM, a refresh served from the hot bundle took 0.9 M instructions more than from this one.
// A route added here must bring along nothing that only the hot routes need (WeChat's client, validation).
import { MAX_BODY_BYTES } from "../http/request";
import { health } from "../routes/system";
import { refreshToken } from "../routes/wechat-refresh-token";
import type { Route } from "./route";

export const leanRoutes: readonly Route[] = [
  { method: "POST", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  // Uptime monitors send GET (or HEAD, which a GET route answers).
  { method: "GET", path: "/api/system/health", handle: health, envelope: false, maxBodyBytes: MAX_BODY_BYTES },
  { method: "POST", path: "/api/wechat/refresh-token", handle: refreshToken, envelope: true, maxBodyBytes: MAX_BODY_BYTES },
];
