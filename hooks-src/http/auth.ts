// Who is calling: the tbl_auth_users record behind `Authorization: Bearer <token>`.
// PocketBase has already verified the token (signature, expiry, the record's tokenKey)
// and set e.auth; here we insist on the scheme, one token, and the collection.
import { failures } from "../errors";
import { USERS_COLLECTION } from "../users/users";

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

function bearerTokenOf(e: core.RequestEvent): string {
  const headers = e.request?.header.values("Authorization") ?? [];
  if (headers.length === 0 || headers[0].trim() === "") throw failures.missingToken();
  const match = headers.length === 1 ? BEARER.exec(headers[0].trim()) : null;
  if (!match) throw failures.invalidToken();
  return match[1];
}

export function requireWechatUser(e: core.RequestEvent): core.Record {
  const token = bearerTokenOf(e);
  const user = e.auth;
  if (!user) throw tokenUserIsGone(token) ? failures.userNotFound() : failures.invalidToken();
  if (user.collection().name !== USERS_COLLECTION) throw failures.invalidToken();
  return user;
}

// Like PocketBase's own auth-refresh: a token issued as non-refreshable (a superuser's
// impersonation token, with its own short lifetime) must not be traded for a fresh one.
export function requireRefreshableToken(e: core.RequestEvent): void {
  if ($security.parseUnverifiedJWT(bearerTokenOf(e)).refreshable !== true) throw failures.invalidToken();
}

// A token can't be verified once its record is deleted (the signing key went with it).
// A well-formed, unexpired auth token of our collection whose record is missing is
// answered 404, so the mini-program knows to log in afresh rather than retry.
function tokenUserIsGone(token: string): boolean {
  let claims: Record<string, unknown>;
  try {
    claims = $security.parseUnverifiedJWT(token);
  } catch {
    return false;
  }
  if (claims.type !== "auth" || typeof claims.id !== "string" || typeof claims.exp !== "number") return false;
  if (claims.exp * 1000 <= Date.now()) return false;
  const users = $app.findCachedCollectionByNameOrId(USERS_COLLECTION);
  if (users.id !== claims.collectionId) return false;
  try {
    $app.findRecordById(users, claims.id);
    return false;
  } catch {
    return true;
  }
}
