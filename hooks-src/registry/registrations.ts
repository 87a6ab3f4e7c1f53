// What pb_hooks/bai_wechat_auth.pb.js registers, as plain data it can loop over, and the calls
// into the whole bundle its handlers make (the routes' dispatch is in dispatch.ts).
import { failures } from "../errors";
import { sendFailure } from "../http/responses";
import { logError } from "../log";
import { applyApplicationUrl } from "../operations/application-url";
import {
  refuseUnsupportedPocketBaseVersion,
  warnAboutContentSecuritySettings,
  warnAboutRecordSettings,
  warnAboutRegistrationPolicy,
  warnAboutWechatApps,
  warnIfDevMode,
  warnIfWechatNotConfigured,
} from "../operations/startup-checks";
import { APPEND_ONLY_COLLECTIONS } from "../audit/append-only";
import { loadRevokedTokens, REVOCATION_CHECK_ID, USER_KEY_PREFIX } from "../account/token-revocation";
import { cronJobs } from "./cron-jobs";
import { dispatcherOf } from "./dispatch";
import { routeKey, type Route } from "./route";
import { HOT_BUNDLE, routeBundles, routes } from "./route-table";

// Answered 405 on our paths; GET also covers HEAD. A method-less pattern would clash with
// PocketBase's own "GET /{path...}"; OPTIONS stays with PocketBase's CORS handling.
const ANSWERABLE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"] as const;

export interface RouteRegistration {
  key: string;
  // The file in pb_hooks/ whose dispatch serves it.
  bundle: string;
  method: string;
  path: string;
  envelope: boolean;
  maxBodyBytes: number;
}

export interface Registrations {
  routes: RouteRegistration[];
  // The bundle with the hot routes, which also serves the global dead-token check and realtime.
  hotBundle: string;
  revocationCheckId: string;
  // The $app.store() key prefix under which a user with revoked tokens is known.
  revokedUserKeyPrefix: string;
  methodNotAllowed: Array<{ method: string; path: string }>;
  cronJobs: Array<{ id: string; schedule: string }>;
  appendOnlyCollections: string[];
}

export function registrationsOf(bundles: ReadonlyArray<{ bundle: string; routes: readonly Route[] }>, jobs: ReadonlyArray<{ id: string; schedule: string }>): Registrations {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of bundles.flatMap((entry) => entry.routes)) {
    const key = routeKey(route.method, route.path);
    if (methodsByPath.get(route.path)?.has(route.method)) throw new Error(`route ${key} is declared twice`);
    methodsByPath.set(route.path, (methodsByPath.get(route.path) ?? new Set()).add(route.method));
  }
  return {
    routes: bundles.flatMap(({ bundle, routes: table }) =>
      table.map(({ method, path, envelope, maxBodyBytes }) => ({ key: routeKey(method, path), bundle, method, path, envelope, maxBodyBytes })),
    ),
    hotBundle: HOT_BUNDLE,
    revocationCheckId: REVOCATION_CHECK_ID,
    revokedUserKeyPrefix: USER_KEY_PREFIX,
    methodNotAllowed: [...methodsByPath].flatMap(([path, used]) =>
      ANSWERABLE_METHODS.filter((method) => !used.has(method)).map((method) => ({ method, path })),
    ),
    cronJobs: jobs.map(({ id, schedule }) => ({ id, schedule })),
    appendOnlyCollections: [...APPEND_ONLY_COLLECTIONS],
  };
}

export const registrations = (): Registrations => registrationsOf(routeBundles, cronJobs);

// The whole bundle's dispatch serves every route; pb.js sends it only those in neither the hot nor the lean one.
export const dispatch = dispatcherOf(routes);

export function methodNotAllowed(e: core.RequestEvent): void {
  // The pattern, not the URL path: a path with wildcards ({collection}) matches many URLs.
  const path = e.request!.pattern.slice(e.request!.pattern.indexOf(" ") + 1);
  const allowed = routes.filter((route) => route.path === path).map((route) => route.method);
  e.response.header().set("Allow", allowed.join(", "));
  sendFailure(e, failures.methodNotAllowed(allowed.join("/")));
}

// `serve` runs our migrations after bootstrap, so a refusal here comes before any of them.
export function afterBootstrap(): void {
  refuseUnsupportedPocketBaseVersion();
  warnIfWechatNotConfigured();
  warnAboutWechatApps();
  warnIfDevMode();
  warnAboutContentSecuritySettings();
  warnAboutRecordSettings();
  warnAboutRegistrationPolicy();
  applyApplicationUrl();
  loadRevokedTokens();
}

export function runCronJob(id: string): void {
  const job = cronJobs.find((candidate) => candidate.id === id);
  if (!job) return logError("No cron job of that id", id);
  job.run();
}
