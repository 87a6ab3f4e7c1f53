// What each route's middleware calls (pb_hooks/bai_wechat_auth.pb.js): PocketBase serializes
// a handler as source text and runs it alone in a pooled VM, so a handler cannot close over a
// table entry. It require()s its bundle and asks it to dispatch on the matched route's key.
import { failures } from "../errors";
import { passedPocketBaseChecks, sendFailure } from "../http/responses";
import { logError } from "../log";
import { forgetRevokedAuth } from "../account/token-revocation";
import { routeKey, type Route } from "./route";

export function dispatcherOf(table: readonly Route[]): (e: core.RequestEvent, key: string) => void {
  const routesByKey = new Map(table.map((route) => [routeKey(route.method, route.path), route]));
  return (e, key) => {
    const route = routesByKey.get(key);
    if (!route) {
      logError("No route of that key", key);
      return sendFailure(e, failures.internal());
    }
    forgetRevokedAuth(e);
    route.beforeChecks?.(e);
    if (route.envelope && !passedPocketBaseChecks(e, route.maxBodyBytes)) return;
    route.handle(e);
  };
}
