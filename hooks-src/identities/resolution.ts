// Who is signing in: one function for every login route (mini-program, phone login, 公众号 H5, website).
//
// 1. The identity (appid, openid) exists: that is the user. A unionid WeChat now returns for the
//    first time is stored, unless another user already holds it: then the login goes on, nothing
//    is stored, and the caller audits the two users (unionidHeldBy).
// 2. Otherwise, with a unionid: one user holds it → the new identity joins that user (linked);
//    two or more → 409 account_conflict, nothing written; none → 3.
// 3. Otherwise, with a phone number WeChat verified (phone login): the users with that number.
//    One that staff made (no WeChat identity) → the person claims it: it gains this identity and
//    keeps its users_id, company and name (claimed). Two or more such → 409
//    duplicate_phone_users; any of them holding another WeChat identity → 409 phone_in_use
//    (numbers get reassigned: never merge by phone alone). None → 4.
// 4. Otherwise a new user, with this identity, if the registration policy admits one
//    (registration/policy.ts); refused, nothing is written. A login that may not register one
//    (a silent 公众号 login brings no unionid, so its user could never be joined to the person's
//    other apps) is 409 unionid_required instead, and the page asks for snsapi_userinfo.
// A user found in 1 or 2 whose phone is empty takes the verified one; a different one is kept
// and reported (phoneMismatch). Except a 待审核 user that /login registered without a number
// (approval policy) whose number turns out to be one staff entered: that person is the staff-made
// user, who claims it as in 3, and the empty 待审核 record, which never had a token, is deleted
// (replacedUser).
//
// A login that would create a user (4) first runs the registration's beforeTransaction (WeChat's
// risk rank, risk/registration-risk.ts), outside the transaction; its other steps run on the new
// user inside it (users.ts RegistrationSteps). A login that finds, joins or claims a user never
// runs them.
//
// The common case, an identity that exists and needs nothing stored, only reads. Everything else
// runs in one write transaction, which PocketBase funnels through one connection: so the first
// logins of one person through two apps at once end as one user (the second sees the first's
// identity and its unionid), two people claiming one staff record end with one claim (the second
// sees the first's identity), and the unique (appid, openid) index backs that up.
import { failures } from "../errors";
import { ACCOUNT_STATUS, failureForAccountStatus } from "../account/account-status";
import { findByOpenid, newUser, requireNotDisabled, USERS_COLLECTION, type RegistrationSteps } from "../users/users";
import { admissionOf, currentRegistrationPolicy } from "../registration/policy";
import { useInvite, type Invite } from "../registration/invites";
import { recordRegistrationFacts, wasRegisteredBySignIn } from "../registration/registration-facts";
import { moveConsents } from "../consents/consent-ledger";
import type { WechatApp } from "../wechat/apps";
import { addIdentity, findIdentity, findSettledUser, IDENTITIES_COLLECTION, identitiesOfUser, isLastLoginStale, usersHoldingUnionid } from "./identities";

export interface SigningIn {
  app: WechatApp;
  openid: string;
  unionid: string;
  // false: may only find a user, never register one (see 3 above). Default true.
  mayRegister?: boolean;
  // The phone number WeChat verified in this login (phone login), as stored (wechat/client.ts).
  phone?: string;
  // A staff invite the request brought, found usable before WeChat was called.
  invite?: Invite;
  // The route and client IP, recorded on a user this login registers.
  origin?: { route: string; ip: string };
}

export interface Resolution {
  user: core.Record;
  outcome: "found" | "linked" | "claimed" | "created";
  // Another user already holds the unionid this login brought: nothing was stored.
  unionidHeldBy?: string;
  // The verified phone number is not the user's: the user's was kept.
  phoneMismatch?: boolean;
  // The 待审核 record a claim replaced (deleted).
  replacedUser?: string;
}

export function resolveUser(signingIn: SigningIn, registration: RegistrationSteps = {}, now = new Date()): Resolution {
  const settled = findSettledUser(signingIn.app.appId, signingIn.openid, signingIn.unionid, now);
  if (settled) {
    const user = requireNotDisabled(settled);
    if (!takesPhone(user, signingIn.phone)) return withPhoneCheck({ user, outcome: "found" }, signingIn.phone);
  }
  if (!settled && registration.beforeTransaction && !findIdentity($app, signingIn.app.appId, signingIn.openid) && wouldRegister($app, signingIn)) {
    registration.beforeTransaction(signingIn);
  }
  let resolution: Resolution | undefined;
  $app.runInTransaction((txApp) => {
    resolution = resolveInTransaction(txApp, signingIn, registration, now);
  });
  return withPhoneCheck(resolution!, signingIn.phone);
}

// The user this login would find without registering or claiming anyone (step 1, or a primary
// mini-program user from before identities), read only; null for someone new.
export function existingUser({ app, openid }: Pick<SigningIn, "app" | "openid">): core.Record | null {
  const identity = findIdentity($app, app.appId, openid);
  if (identity) return $app.findRecordById(USERS_COLLECTION, identity.getString("user"));
  return app.primary ? findByOpenid($app, openid) : null;
}

// Whether, as things stand, the login of someone with no identity would create a user (4 above):
// read before the transaction, so that nobody already known (nor anyone the policy turns away)
// triggers a registration's beforeTransaction. A first login that races another ends as the
// transaction finds it.
function wouldRegister(app: CoreApp, { app: wechatApp, openid, unionid, mayRegister, phone, invite }: SigningIn): boolean {
  if (mayRegister === false) return false;
  if (wechatApp.primary && findByOpenid(app, openid)) return false;
  if (unionid !== "" && usersHoldingUnionid(app, unionid).length > 0) return false;
  if (phone !== undefined && usersWithPhone(app, phone).length > 0) return false;
  return !("refusal" in admissionOf(currentRegistrationPolicy(app), { phoneVerified: phone !== undefined, invited: invite !== undefined }));
}

function resolveInTransaction(txApp: CoreApp, signingIn: SigningIn, registration: RegistrationSteps, now: Date): Resolution {
  const { app, openid, unionid, phone } = signingIn;
  const identity = findIdentity(txApp, app.appId, openid);
  if (identity) return loginThrough(txApp, identity, signingIn, now);

  // A user of the primary mini-program from before identities (or one staff gave an openid).
  const legacy = app.primary ? findByOpenid(txApp, openid) : null;
  if (legacy) {
    requireNotDisabled(legacy);
    const adopted = addIdentity(txApp, legacy.id, { appId: app.appId, kind: app.kind, openid, unionid: legacy.getString("unionid") }, now);
    return loginThrough(txApp, adopted, signingIn, now);
  }

  if (unionid !== "") {
    const holders = usersHoldingUnionid(txApp, unionid);
    if (holders.length > 1) throw failures.accountConflict();
    if (holders.length === 1) {
      const user = requireNotDisabled(txApp.findRecordById(USERS_COLLECTION, holders[0]));
      addIdentity(txApp, user.id, { appId: app.appId, kind: app.kind, openid, unionid }, now);
      let changed = storePhone(user, phone);
      if (app.primary && user.getString("openid") === "") {
        user.set("openid", openid);
        changed = true;
      }
      if (changed) txApp.save(user);
      return { user, outcome: "linked" };
    }
  }

  if (phone !== undefined) {
    const staffMade = claimableUserWithPhone(txApp, phone);
    if (staffMade) {
      addIdentity(txApp, staffMade.id, { appId: app.appId, kind: app.kind, openid, unionid }, now);
      if (app.primary) staffMade.set("openid", openid);
      if (unionid !== "" && staffMade.getString("unionid") === "") staffMade.set("unionid", unionid);
      return { user: recordClaim(txApp, staffMade, now), outcome: "claimed" };
    }
  }

  if (signingIn.mayRegister === false) throw failures.unionidRequired();
  return { user: register(txApp, signingIn, registration, now), outcome: "created" };
}

function loginThrough(txApp: CoreApp, identity: core.Record, signingIn: SigningIn, now: Date): Resolution {
  const { unionid } = signingIn;
  const user = requireNotDisabled(txApp.findRecordById(USERS_COLLECTION, identity.getString("user")));
  if (signingIn.phone !== undefined && isAwaitingItsNumber(txApp, user)) {
    const staffMade = claimableUserWithPhone(txApp, signingIn.phone);
    if (staffMade) return { user: replaceByStaffMade(txApp, user, staffMade, now), outcome: "claimed", replacedUser: user.id };
  }
  let unionidHeldBy: string | undefined;
  let identityChanged = false;
  let userChanged = storePhone(user, signingIn.phone);
  if (gainsUnionid(identity, { unionid }, user)) {
    unionidHeldBy = usersHoldingUnionid(txApp, unionid).find((holder) => holder !== user.id);
    if (!unionidHeldBy) {
      identity.set("unionid", unionid);
      identityChanged = true;
      if (user.getString("unionid") === "") {
        user.set("unionid", unionid);
        userChanged = true;
      }
    }
  }
  if (isLastLoginStale(identity, now) && user.getString("users_status") === ACCOUNT_STATUS.active) {
    identity.set("last_login", now.toISOString());
    identityChanged = true;
  }
  if (userChanged) txApp.save(user);
  if (identityChanged) txApp.save(identity);
  return unionidHeldBy ? { user, outcome: "found", unionidHeldBy } : { user, outcome: "found" };
}

// WeChat returns a unionid only once the app is bound to an open-platform account, so an identity
// may gain one on a later login. A unionid already recorded is kept.
// Only an account in use gains one: a login may not write to an account being deleted (the
// login that cancels the deletion records it, account/deletion.ts; the next one adds it here).
// findSettledUser (identities.ts) asks the same of the stored identity in SQL.
function gainsUnionid(identity: core.Record, { unionid }: Pick<SigningIn, "unionid">, user: core.Record): boolean {
  return unionid !== "" && identity.getString("unionid") === "" && user.getString("users_status") === ACCOUNT_STATUS.active;
}

// A verified number fills an empty users_phone of an account in use or waiting for approval
// (staff judge a 待审核 user by it); it never replaces one.
function takesPhone(user: core.Record, phone: string | undefined): boolean {
  const status = user.getString("users_status");
  return phone !== undefined && user.getString("users_phone") === "" && (status === ACCOUNT_STATUS.active || status === ACCOUNT_STATUS.pendingApproval);
}

function storePhone(user: core.Record, phone: string | undefined): boolean {
  if (!takesPhone(user, phone)) return false;
  user.set("users_phone", phone);
  return true;
}

function withPhoneCheck(resolution: Resolution, phone: string | undefined): Resolution {
  const stored = resolution.user.getString("users_phone");
  return phone !== undefined && stored !== "" && stored !== phone ? { ...resolution, phoneMismatch: true } : resolution;
}

// The users with this number, at most three (enough to tell none, one and several apart), and
// whether each already has a WeChat identity: staff made those that have none.
function usersWithPhone(txApp: CoreApp, phone: string): Array<{ id: string; hasWechat: boolean }> {
  const rows = arrayOf(new DynamicModel({ id: "", has_wechat: 0 }));
  txApp
    .db()
    .newQuery(
      `SELECT u.id AS id, (u.openid != '' OR EXISTS (SELECT 1 FROM ${IDENTITIES_COLLECTION} i WHERE i.user = u.id)) AS has_wechat
       FROM ${USERS_COLLECTION} u WHERE u.users_phone = {:phone} LIMIT 3`,
    )
    .bind({ phone })
    .all(rows);
  return rows.map((row) => ({ id: row.id, hasWechat: row.has_wechat === 1 }));
}

// The one user staff made with this number, who may be claimed; null when nobody has it. The
// answers say nothing about the users involved: the caller knows only the number.
function claimableUserWithPhone(txApp: CoreApp, phone: string): core.Record | null {
  const holders = usersWithPhone(txApp, phone);
  if (holders.length === 0) return null;
  if (holders.some((holder) => holder.hasWechat)) throw failures.phoneInUse();
  if (holders.length > 1) throw failures.duplicatePhoneUsers();
  const user = txApp.findRecordById(USERS_COLLECTION, holders[0].id);
  const status = user.getString("users_status");
  // A disabled account is never claimed; one being deleted is not taken over either.
  if (status !== ACCOUNT_STATUS.pendingApproval) {
    const refusal = failureForAccountStatus(status);
    if (refusal) throw refusal;
  }
  return user;
}

function recordClaim(txApp: CoreApp, user: core.Record, now: Date): core.Record {
  txApp.save(user);
  recordRegistrationFacts(txApp, user.id, { claimed_at: now.toISOString() });
  return user;
}

// Registered by /login under the approval policy and not judged yet: no number, no token ever.
function isAwaitingItsNumber(txApp: CoreApp, user: core.Record): boolean {
  return user.getString("users_status") === ACCOUNT_STATUS.pendingApproval && user.getString("users_phone") === "" && wasRegisteredBySignIn(txApp, user.id);
}

// The person's WeChat identities and consents move to the user staff made for them; the empty
// record goes.
function replaceByStaffMade(txApp: CoreApp, waiting: core.Record, staffMade: core.Record, now: Date): core.Record {
  for (const identity of identitiesOfUser(txApp, waiting.id)) {
    identity.set("user", staffMade.id);
    txApp.save(identity);
  }
  moveConsents(txApp, waiting.id, staffMade.id);
  const { openid, unionid } = { openid: waiting.getString("openid"), unionid: waiting.getString("unionid") };
  txApp.delete(waiting);
  if (openid !== "") staffMade.set("openid", openid);
  if (unionid !== "" && staffMade.getString("unionid") === "") staffMade.set("unionid", unionid);
  return recordClaim(txApp, staffMade, now);
}

function register(txApp: CoreApp, signingIn: SigningIn, registration: RegistrationSteps, now: Date): core.Record {
  const { app, openid, unionid, phone, invite, origin } = signingIn;
  const admission = admissionOf(currentRegistrationPolicy(txApp), { phoneVerified: phone !== undefined, invited: invite !== undefined });
  if ("refusal" in admission) throw admission.refusal;
  const companyId = invite ? useInvite(txApp, invite, now) : undefined;
  const user = newUser(txApp, { openid: app.primary ? openid : "", unionid }, now, {
    phone,
    status: admission.status,
    companyId,
    registration: { appId: app.appId, route: origin?.route ?? "", ip: origin?.ip ?? "", inviteCode: invite?.code },
  }, registration);
  addIdentity(txApp, user.id, { appId: app.appId, kind: app.kind, openid, unionid }, now);
  return user;
}
