// Who is calling: the tbl_auth_users record behind `Authorization: Bearer <token>`, or the bare
// token as PocketBase's own JS SDK sends it (PocketBase takes either).
// PocketBase has already verified the token (signature, expiry, the record's tokenKey)
// and set e.auth; here we insist on one token, and the collection.
// A token PocketBase could not verify gets one 401 whatever account it names, so that a
// forged token learns nothing; only a verified token learns that its account is disabled.
// A deleted user's token can no longer be verified (its key went with the record): 401 too.
import { ACCOUNT_STATUS, ACTIVE_ACCOUNTS_AUTH_RULE, failureForAccountStatus } from "../account/account-status";
import { newDistinctAuthToken } from "../account/distinct-tokens";
import { saysRefreshable } from "../account/token-parts";
import { withoutBearer } from "../account/token-revocation";
import { failures } from "../errors";
import { successMessage } from "../languages/messages";
import { isDisabledNow, USERS_COLLECTION } from "../users/users";
import { requestHeaderOf, requestOf } from "./request-memo";
import { requestedLanguage, sendJsonParts } from "./responses";

// The token PocketBase verified when it set e.auth: the header's value less an optional "Bearer "
// (any case), as getAuthTokenFromRequest in PocketBase's apis/middlewares.go reads it. Anything
// else there (two tokens, another scheme) is no token PocketBase could verify, so e.auth is unset;
// a token that gets past here is one PocketBase verified, so a JWT, and no regexp runs over it
// (a Go regexp over the whole token cost more than the rest of a refresh's JS).
// `auth` is e.auth, read once by the caller: each read wraps the Go record anew.
function bearerTokenOf(e: core.RequestEvent, auth: core.Record | undefined): string {
  const headers = requestHeaderOf(e).values("Authorization");
  const header = headers.length === 0 ? "" : headers[0].trim();
  if (header === "") throw failures.missingToken();
  if (headers.length !== 1 || !auth) throw failures.invalidToken();
  return withoutBearer(header);
}

export function requireWechatUser(e: core.RequestEvent): core.Record {
  const auth = e.auth;
  bearerTokenOf(e, auth);
  return verifiedWechatCaller(auth).user;
}

// The caller's record, and what verifying it read, which a refresh's answer needs again: each read
// goes into Go (user.collection() costs 10 k instructions).
export interface VerifiedCaller {
  user: core.Record;
  collection: core.Collection;
  status: string;
}

function verifiedWechatCaller(user: core.Record | undefined): VerifiedCaller {
  if (!user) throw failures.invalidToken();
  const collection = user.collection();
  if (collection.name !== USERS_COLLECTION) throw failures.invalidToken();
  const status = user.getString("users_status");
  const refusal = failureForAccountStatus(status);
  if (refusal) throw refusal;
  return { user, collection, status };
}

// Like PocketBase's own auth-refresh: a token issued as non-refreshable (a superuser's
// impersonation token, with its own short lifetime) must not be traded for a fresh one.
export function requireRefreshableWechatCaller(e: core.RequestEvent): VerifiedCaller {
  const auth = e.auth;
  const token = bearerTokenOf(e, auth);
  const caller = verifiedWechatCaller(auth);
  if (!saysRefreshable(token)) throw failures.invalidToken();
  return caller;
}

export interface AuthMeta {
  code: 200;
  // In zh-CN; answered in the request's language.
  msg: string;
  data: object;
}

// PocketBase's auth response, {meta, record, token}, as $apis.recordAuthResponse writes it: the
// collection's authRule checked once more (a staff disable that landed after our own check, or a
// stricter rule staff set, is our 403, not PocketBase's 500), the record enriched (onRecordEnrich,
// ?expand=) with its email shown.
// We write it ourselves because recordAuthResponse mints a token without a `jti`, and the
// onRecordAuthRequest hook that adds one (distinct-tokens.ts) takes a second pooled VM per login
// while this one waits: at 32 connections and the default pool, a third more CPU per login.
// So our logins fire no onRecordAuthRequest; the collection has no MFA and no login alerts.
// caller: given when the user is the request's own caller (a refresh), whose token is no superuser's.
export function sendAuthResponse(e: core.RequestEvent, user: core.Record, meta: AuthMeta, caller?: VerifiedCaller): void {
  const collection = caller?.collection ?? user.collection();
  if (!satisfiesAuthRule(e, user, collection, caller?.status)) {
    if (isDisabledNow(user)) throw failures.accountDisabled();
    throw failures.authRuleRefused();
  }
  const token = newDistinctAuthToken(user, collection);
  user.ignoreEmailVisibility(true);
  enrich(e, user, caller !== undefined);
  const language = requestedLanguage(e);
  const answer = { code: meta.code, msg: successMessage(meta.msg, language), data: meta.data };
  // Written in PocketBase's key order (a JS object handed to e.json would be a Go map, whose keys
  // encoding/json/v2 writes in random order), the record as PocketBase serializes it.
  // A JWT is base64url and dots, nothing JSON escapes: quoted as it is (goja's JSON.stringify walks it character by character).
  sendJsonParts(e, 200, [`{"meta":${JSON.stringify(answer)},"record":`, user.marshalJSON(), `,"token":"${token}"}`], language);
}

// $apis.enrichRecord runs onRecordEnrich hooks, expands a ?expand= and shows a superuser the hidden
// fields, and for that builds e.requestInfo(), which snake-cases every header name: a twentieth of a
// refresh's instructions. With no hook bound, no query string and no superuser, it changes nothing the
// answer shows (the email is shown above), so it is not called. Hooks are bound at start: each VM asks once.
// callerIsUser: the request's own token is this user's, so no superuser's.
let enrichHooksBound: boolean | undefined;

function enrich(e: core.RequestEvent, user: core.Record, callerIsUser: boolean): void {
  enrichHooksBound ??= $app.onRecordEnrich().length() > 0;
  if (!enrichHooksBound && requestOf(e).url?.rawQuery === "" && (callerIsUser || !isSuperuser(e.auth))) return;
  $apis.enrichRecord(e, user);
}

// e.hasSuperuserAuth() is a call into Go even when there is no auth, as on most logins.
const isSuperuser = (auth: core.Record | undefined): boolean => auth != null && auth.isSuperuser();

// Our migrations' authRule asks that the account be 正常, and that is read from the record in hand
// (in the request's own loadAuthToken, or in the login's transaction), not with a query of its own
// as canAccessRecord makes, a tenth of a refresh's CPU. A status change since then rotated the
// record's tokenKey (account-status-hooks.ts), so a token signed with the key read here is dead at
// once. Any other rule staff set is evaluated by PocketBase.
// status: the user's, when the caller has read it already.
function satisfiesAuthRule(e: core.RequestEvent, user: core.Record, collection: core.Collection, status?: string): boolean {
  // A *string in Go: goja hands JS a wrapper object, equal to the text only once converted.
  const rule = collection.authRule as unknown;
  if (rule != null && String(rule) === ACTIVE_ACCOUNTS_AUTH_RULE) return (status ?? user.getString("users_status")) === ACCOUNT_STATUS.active;
  return $app.canAccessRecord(user, e.requestInfo(), rule as string);
}
