// Every token issued for a tbl_auth_users record gets its own `jti`. PocketBase's tokens hold
// no issue time, only an expiry in whole seconds: two logins (or refreshes) of one user within
// a second got the very same token, and a `current` logout on one device then ended the other's
// session too.
//
// Our own routes mint their token here directly (http/auth.ts). PocketBase's routes (auth-refresh,
// staff's impersonation) go through onRecordAuthRequest in pb_hooks/bai_wechat_auth.pb.js, which
// signs the token PocketBase made again with every claim kept, expiry and refreshable included
// (createJWT keeps an `exp` it is given). Both sign with the key PocketBase itself uses, so
// PocketBase verifies them as its own.
// collection: the user's, when the caller has it already (each user.collection() wraps it anew).
export function newDistinctAuthToken(user: core.Record, collection: core.Collection = user.collection()): string {
  const claims = {
    type: "auth",
    id: user.id,
    collectionId: collection.id,
    refreshable: true,
    jti: newJti(),
  };
  const { authToken } = collection;
  return $security.createJWT(claims, user.tokenKey() + authToken.secret, authToken.duration);
}

// A jti has only to differ from every other, not to be secret (the token is signed): a prefix this VM
// draws once, at random, and a count. $security.randomString draws each character apart, 29 k
// instructions for 16 of them; the pb.js hook numbers its jti the same way.
const JTI_PREFIX_LENGTH = 16;
let jtiPrefix = "";
let jtiCount = 0;

export function newJti(): string {
  if (jtiPrefix === "") jtiPrefix = $security.randomString(JTI_PREFIX_LENGTH);
  return jtiPrefix + (++jtiCount).toString(36);
}
