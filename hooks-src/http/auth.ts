// Who is calling: the tbl_auth_users record behind `Authorization: Bearer <token>`.
// PocketBase has already verified the token (signature, expiry, the record's tokenKey)
// and set e.auth; here we insist on the scheme, one token, and the collection.
import { failureForAccountStatus } from "../account/account-status";
import { failures, type ApiFailure } from "../errors";
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
  if (!user) throw failureForUnverifiedToken(token);
  if (user.collection().name !== USERS_COLLECTION) throw failures.invalidToken();
  const refusal = failureForAccountStatus(user.getString("users_status"));
  if (refusal) throw refusal;
  return user;
}

// Like PocketBase's own auth-refresh: a token issued as non-refreshable (a superuser's
// impersonation token, with its own short lifetime) must not be traded for a fresh one.
export function requireRefreshableToken(e: core.RequestEvent): void {
  if ($security.parseUnverifiedJWT(bearerTokenOf(e)).refreshable !== true) throw failures.invalidToken();
}

// PocketBase could not verify the token. Some cases deserve more than a 401, so that the
// mini-program shows the right thing: the record was deleted (404; the signing key went with
// it), or the account was disabled (403), is being deleted (403) or was erased (410), each of
// which rotated the key. All need a well-formed, unexpired auth token of our collection.
function failureForUnverifiedToken(token: string): ApiFailure {
  let claims: Record<string, unknown>;
  try {
    claims = $security.parseUnverifiedJWT(token);
  } catch {
    return failures.invalidToken();
  }
  if (claims.type !== "auth" || typeof claims.id !== "string" || typeof claims.exp !== "number") return failures.invalidToken();
  if (claims.exp * 1000 <= Date.now()) return failures.invalidToken();
  const users = $app.findCachedCollectionByNameOrId(USERS_COLLECTION);
  if (users.id !== claims.collectionId) return failures.invalidToken();
  let user: core.Record;
  try {
    user = $app.findRecordById(users, claims.id);
  } catch {
    return failures.userNotFound();
  }
  return failureForAccountStatus(user.getString("users_status")) ?? failures.invalidToken();
}
