// Who is calling: the tbl_auth_users record behind `Authorization: Bearer <token>`.
// PocketBase has already verified the token (signature, expiry, the record's tokenKey)
// and set e.auth; here we insist on the scheme, one token, and the collection.
// A token PocketBase could not verify gets one 401 whatever account it names, so that a
// forged token learns nothing; only a verified token learns that its account is disabled.
// A deleted user's token can no longer be verified (its key went with the record): 401 too.
import { failureForAccountStatus } from "../account/account-status";
import { failures } from "../errors";
import { isDisabledNow, USERS_COLLECTION } from "../users/users";

// A token that gets past here is one PocketBase verified (e.auth), so a JWT: only the scheme is
// left to check. (A Go regexp over the whole token cost more than the rest of a refresh's JS.)
function bearerTokenOf(e: core.RequestEvent): string {
  const headers = e.request?.header.values("Authorization") ?? [];
  const header = headers.length === 0 ? "" : headers[0].trim();
  if (header === "") throw failures.missingToken();
  if (headers.length !== 1 || !e.auth || !/^bearer /i.test(header)) throw failures.invalidToken();
  return header.slice("Bearer ".length);
}

export function requireWechatUser(e: core.RequestEvent): core.Record {
  bearerTokenOf(e);
  return verifiedWechatUser(e);
}

function verifiedWechatUser(e: core.RequestEvent): core.Record {
  const user = e.auth;
  if (!user) throw failures.invalidToken();
  if (user.collection().name !== USERS_COLLECTION) throw failures.invalidToken();
  const refusal = failureForAccountStatus(user.getString("users_status"));
  if (refusal) throw refusal;
  return user;
}

// Like PocketBase's own auth-refresh: a token issued as non-refreshable (a superuser's
// impersonation token, with its own short lifetime) must not be traded for a fresh one.
export function requireRefreshableWechatUser(e: core.RequestEvent): core.Record {
  const token = bearerTokenOf(e);
  const user = verifiedWechatUser(e);
  if ($security.parseUnverifiedJWT(token).refreshable !== true) throw failures.invalidToken();
  return user;
}

// $apis.recordAuthResponse, but a staff disable that landed after our own check is our 403:
// PocketBase checks the collection's authRule (users_status = "正常") again before it
// issues the token, and would otherwise end the request in a 500.
export function sendAuthResponse(e: core.RequestEvent, user: core.Record, authMethod: string, meta: object): void {
  try {
    $apis.recordAuthResponse(e, user, authMethod, meta);
  } catch (error) {
    if (isDisabledNow(user)) throw failures.accountDisabled();
    throw error;
  }
}
