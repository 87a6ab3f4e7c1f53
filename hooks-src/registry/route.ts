// A route of ours, as the route tables list it (hot-routes.ts, route-table.ts).
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

// What a route's middleware hands dispatch: "POST /api/wechat/login".
export const routeKey = (method: string, path: string): string => `${method} ${path}`;
