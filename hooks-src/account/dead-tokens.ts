// A tbl_auth_users token that is presented but no longer valid gets 401 on every PocketBase
// route (RFC 6750 §3.1), instead of being taken for a guest's request: otherwise a client whose
// session died reads "not found" or an empty list, and never learns to renew its token.
// Dead means PocketBase could not verify it (the user disabled, its key rotated, expired, deleted)
// or a `current` logout revoked it. Other collections' tokens and anonymous requests pass as before.
// Our own routes replace this middleware with theirs (registry/registrations.ts `dispatch`): they
// answer in our envelope, and the anonymous ones (login, health, push) ignore the header.
import { USERS_COLLECTION } from "../users/users";
import { unverifiedClaimsOf } from "./token-parts";
import { isRevokedAuth, presentedToken } from "./token-revocation";

export const DEAD_TOKEN_MESSAGE = "The request requires valid record authorization token.";

// Global middleware, just after PocketBase's loadAuthToken. The registration in pb_hooks lets a
// request with neither auth nor an Authorization header through without loading the bundle.
export function refuseDeadToken(e: core.RequestEvent): void {
  if (e.auth ? isRevokedAuth(e) : namesOurUsers(presentedToken(e))) {
    e.response.header().set("WWW-Authenticate", 'Bearer error="invalid_token"');
    throw new UnauthorizedError(DEAD_TOKEN_MESSAGE, {});
  }
  e.next();
}

function namesOurUsers(token: string): boolean {
  if (token === "") return false;
  const claims = unverifiedClaimsOf(token);
  return claims !== null && claims.collectionId === $app.findCachedCollectionByNameOrId(USERS_COLLECTION).id;
}
