// Per-token revocation, for the `current` logout: the one token a device presented stops
// working everywhere PocketBase accepts it, while the user's other tokens keep working.
//
// A PocketBase token is signed with the record's tokenKey, so rotating the key (`all`) voids
// every token of the user at once; one token alone can only be refused by a denylist checked
// wherever a token is verified. Every token has its own `jti` (distinct-tokens.ts), and the
// denylist knows a token by its signed part (token-parts.ts), which no re-spelling changes:
//   - refuseDeadToken (dead-tokens.ts), a global middleware just after PocketBase's
//     loadAuthToken, answers a revoked token 401 on PocketBase's own routes: record views,
//     auth-refresh, realtime subscriptions, batch and any collection staff add later;
//   - our own routes make the same check first thing in their middleware (registry/dispatch),
//     which carries the global middleware's id and so takes its place on their routes: a JS
//     middleware holds a pooled VM while it waits in e.next(), and two would double every
//     request's VMs;
//   - realtime connections subscribed before the logout keep their auth state, so the logout
//     also signs those out (tagRealtimeClient remembers which token each one subscribed with).
// The denylist is the bai_revoked_tokens collection (a SHA-256 of the token's signed part, never
// the token, with its expiry), so it survives a restart; $app.store() caches it for the middleware.
import { appStore } from "../app-store";
import { requestHeaderOf } from "../http/request-memo";
import { USERS_COLLECTION } from "../users/users";
import { signedPartOf } from "./token-parts";
import { storedDate } from "../database/stored-dates";

export const REVOKED_TOKENS_COLLECTION = "bai_revoked_tokens";
const TOKEN_KEY_PREFIX = "bai.revokedToken.";
// Also read by the global middleware in pb_hooks, before it loads the bundle (registrations.ts).
export const USER_KEY_PREFIX = "bai.revokedTokensOf.";
const REALTIME_TOKEN_KEY = "bai.tokenHash";
const REALTIME_AUTH_KEY = "auth"; // PocketBase's apis.RealtimeClientAuthKey

export function tokenHash(token: string): string {
  return $security.sha256(signedPartOf(token));
}

// The raw token of the request, as PocketBase's loadAuthToken reads it ("Bearer " optional).
export function presentedToken(e: core.RequestEvent): string {
  return withoutBearer(requestHeaderOf(e).get("Authorization"));
}

export function withoutBearer(header: string): string {
  return /^bearer /i.test(header) ? header.slice(7) : header;
}

// The cache in $app.store(): each revoked token's hash, and per user the latest expiry among
// their revoked tokens, so that the middleware hashes the token only of a user who has logged
// out a device since. Values are expiry times in ms; sweep() forgets what has expired.
// The store's own cache is built once per VM: the middleware asks for it on every signed-in request.
let ownCache: ReturnType<typeof buildRevocationCache> | undefined;

export function revocationCache(store?: store.Store<string, any>) {
  return store ? buildRevocationCache(store) : (ownCache ??= buildRevocationCache(appStore()));
}

function buildRevocationCache(store: store.Store<string, any>) {
  return {
    add(hash: string, userId: string, expiresAtMs: number): void {
      store.set(TOKEN_KEY_PREFIX + hash, expiresAtMs);
      store.setFunc(USER_KEY_PREFIX + userId, (latest: number | null | undefined) => Math.max(latest ?? 0, expiresAtMs));
    },
    isRevoked(userId: string, hashOfToken: () => string): boolean {
      return store.get(USER_KEY_PREFIX + userId) != null && store.get(TOKEN_KEY_PREFIX + hashOfToken()) != null;
    },
    sweep(now: number): void {
      for (const key of store.keys()) {
        if ((key.startsWith(TOKEN_KEY_PREFIX) || key.startsWith(USER_KEY_PREFIX)) && !(store.get(key) > now)) store.remove(key);
      }
    },
  };
}

export function isRevoked(hash: string): boolean {
  return appStore().get(TOKEN_KEY_PREFIX + hash) != null;
}

// Stored before the cache learns of it, so an answer of "logged out" is never lost to a crash.
export function revokeToken(user: core.Record, token: string): void {
  const hash = tokenHash(token);
  const expiresAt = new Date(Number($security.parseUnverifiedJWT(token).exp) * 1000);
  const record = new Record($app.findCachedCollectionByNameOrId(REVOKED_TOKENS_COLLECTION));
  record.set("token_hash", hash);
  record.set("pb_id", user.id);
  record.set("expires", expiresAt.toISOString());
  $app.save(record);
  revocationCache().add(hash, user.id, expiresAt.getTime());
  signOutRealtimeClients(hash);
}

// The id our routes' middlewares share with the global one, to replace it (PocketBase's
// router binds a route's middlewares after the global ones, and a handler replaces any of
// the same id).
export const REVOCATION_CHECK_ID = "baiRefuseRevokedToken";

// Runs on every request, so it does the least it can: one store lookup for a signed-in caller.
export function isRevokedAuth(e: core.RequestEvent): boolean {
  const auth = e.auth;
  return auth != null && revocationCache().isRevoked(auth.id, () => tokenHash(presentedToken(e)));
}

// On our routes: a revoked token is no token, and each route answers that in our envelope.
export function forgetRevokedAuth(e: core.RequestEvent): void {
  if (isRevokedAuth(e)) e.auth = undefined;
}

// onRealtimeSubscribeRequest. The second check closes the gap between a subscription that
// passed the middleware and a logout that signed the connections out before it stored its auth.
export function tagRealtimeClient(e: core.RealtimeSubscribeRequestEvent): void {
  // The goja binding can't reach e.request through this event's two levels of embedding.
  const token = withoutBearer(String(e.requestInfo().headers["authorization"] ?? ""));
  const hash = e.auth && e.auth.collection().name === USERS_COLLECTION ? tokenHash(token) : "";
  e.client.set(REALTIME_TOKEN_KEY, hash);
  e.next();
  if (hash !== "" && isRevoked(hash)) e.client.unset(REALTIME_AUTH_KEY);
}

// Like PocketBase does when a tokenKey changes: the connection stays open, as a guest's.
function signOutRealtimeClients(hash: string): void {
  for (const chunk of $app.subscriptionsBroker().chunkedClients(500)) {
    for (const client of chunk) if (client.get(REALTIME_TOKEN_KEY) === hash) client.unset(REALTIME_AUTH_KEY);
  }
}

// onBootstrap, before the first request. Without the collection (its migration runs after
// the bootstrap, on the first start of this version) no token has been revoked yet.
export function loadRevokedTokens(): void {
  if (!$app.hasTable(REVOKED_TOKENS_COLLECTION)) return;
  const cache = revocationCache();
  const rows = arrayOf(new DynamicModel({ token_hash: "", pb_id: "", expires: "" }));
  $app.db().newQuery(`SELECT token_hash, pb_id, expires FROM ${REVOKED_TOKENS_COLLECTION} WHERE expires > {:now}`).bind({ now: storedDate(new Date()) }).all(rows);
  for (const row of rows) cache.add(row.token_hash, row.pb_id, new Date(row.expires.replace(" ", "T")).getTime());
}

// Cron: an expired token is refused by PocketBase itself, so its entry is no longer needed.
export function sweepExpiredRevokedTokens(): void {
  revocationCache().sweep(Date.now());
  $app.db().newQuery(`DELETE FROM ${REVOKED_TOKENS_COLLECTION} WHERE expires <= {:now}`).bind({ now: storedDate(new Date()) }).execute();
}
