// Every token PocketBase issues for a tbl_auth_users record gets its own `jti`. PocketBase's
// tokens hold no issue time, only an expiry in whole seconds: two logins (or refreshes) of one
// user within a second got the very same token, and a `current` logout on one device then
// ended the other's session too.
//
// onRecordAuthRequest sees the token PocketBase made for the answer, for our routes and for its
// own (auth-refresh, impersonation) alike. It is signed again with every claim kept, expiry and
// refreshable included (createJWT keeps an `exp` it is given), with the same key PocketBase uses.
export function giveTokenItsOwnId(e: core.RecordAuthRequestEvent): void {
  const claims = $security.parseUnverifiedJWT(e.token);
  claims.jti = $security.randomString(16);
  e.token = $security.createJWT(claims, e.record!.tokenKey() + e.collection!.authToken.secret, 0);
  e.next();
}
