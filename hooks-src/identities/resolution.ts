// Who is signing in: one function for every login route (mini-program, 公众号 H5, website).
//
// 1. The identity (appid, openid) exists: that is the user. A unionid WeChat now returns for the
//    first time is stored, unless another user already holds it: then the login goes on, nothing
//    is stored, and the caller audits the two users (unionidHeldBy).
// 2. Otherwise, with a unionid: one user holds it → the new identity joins that user (linked);
//    two or more → 409 account_conflict, nothing written; none → 3.
// 3. Otherwise a new user, with this identity; unless the login may not register one (a silent
//    公众号 login brings no unionid, so its user could never be joined to the person's other
//    apps): then 409 unionid_required, nothing written, and the page asks for snsapi_userinfo.
//
// A login that would create a user first runs the registration's beforeTransaction (WeChat's risk
// rank, risk/registration-risk.ts), outside the transaction; its other steps run on the new user
// inside it (users.ts RegistrationSteps). A login that finds or joins a user never runs them.
//
// The common case, an identity that exists and needs nothing stored, only reads. Everything else
// runs in one write transaction, which PocketBase funnels through one connection: so the first
// logins of one person through two apps at once end as one user (the second sees the first's
// identity and its unionid), and the unique (appid, openid) index backs that up.
import { failures } from "../errors";
import { ACCOUNT_STATUS } from "../account/account-status";
import { findByOpenid, newUser, requireNotDisabled, USERS_COLLECTION, type RegistrationSteps } from "../users/users";
import type { WechatApp } from "../wechat/apps";
import { addIdentity, findIdentity, isLastLoginStale, usersHoldingUnionid } from "./identities";

export interface SigningIn {
  app: WechatApp;
  openid: string;
  unionid: string;
  // false: may only find a user, never register one (see 3 above). Default true.
  mayRegister?: boolean;
}

export interface Resolution {
  user: core.Record;
  outcome: "found" | "linked" | "created";
  // Another user already holds the unionid this login brought: nothing was stored.
  unionidHeldBy?: string;
}

export function resolveUser(signingIn: SigningIn, registration: RegistrationSteps = {}, now = new Date()): Resolution {
  const identity = findIdentity($app, signingIn.app.appId, signingIn.openid);
  if (identity && !gainsUnionid(identity, signingIn) && !isLastLoginStale(identity, now)) {
    return { user: requireNotDisabled($app.findRecordById(USERS_COLLECTION, identity.getString("user"))), outcome: "found" };
  }
  if (!identity && registration.beforeTransaction && wouldRegister($app, signingIn)) registration.beforeTransaction(signingIn);
  let resolution: Resolution | undefined;
  $app.runInTransaction((txApp) => {
    resolution = resolveInTransaction(txApp, signingIn, registration, now);
  });
  return resolution!;
}

// Whether, as things stand, the login of someone with no identity would create a user (3 above):
// read before the transaction, so that nobody already known triggers a registration's
// beforeTransaction. A first login that races another ends as the transaction finds it.
function wouldRegister(app: CoreApp, { app: wechatApp, openid, unionid, mayRegister }: SigningIn): boolean {
  if (mayRegister === false) return false;
  if (wechatApp.primary && findByOpenid(app, openid)) return false;
  return unionid === "" || usersHoldingUnionid(app, unionid).length === 0;
}

function resolveInTransaction(txApp: CoreApp, signingIn: SigningIn, registration: RegistrationSteps, now: Date): Resolution {
  const { app, openid, unionid } = signingIn;
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
      if (app.primary && user.getString("openid") === "") {
        user.set("openid", openid);
        txApp.save(user);
      }
      return { user, outcome: "linked" };
    }
  }

  if (signingIn.mayRegister === false) throw failures.unionidRequired();
  const user = newUser(txApp, { openid: app.primary ? openid : "", unionid }, registration, now);
  addIdentity(txApp, user.id, { appId: app.appId, kind: app.kind, openid, unionid }, now);
  return { user, outcome: "created" };
}

function loginThrough(txApp: CoreApp, identity: core.Record, { unionid }: SigningIn, now: Date): Resolution {
  const user = requireNotDisabled(txApp.findRecordById(USERS_COLLECTION, identity.getString("user")));
  let unionidHeldBy: string | undefined;
  let changed = false;
  if (gainsUnionid(identity, { unionid }, user)) {
    unionidHeldBy = usersHoldingUnionid(txApp, unionid).find((holder) => holder !== user.id);
    if (!unionidHeldBy) {
      identity.set("unionid", unionid);
      changed = true;
      if (user.getString("unionid") === "") {
        user.set("unionid", unionid);
        txApp.save(user);
      }
    }
  }
  if (isLastLoginStale(identity, now) && user.getString("users_status") === ACCOUNT_STATUS.active) {
    identity.set("last_login", now.toISOString());
    changed = true;
  }
  if (changed) txApp.save(identity);
  return unionidHeldBy ? { user, outcome: "found", unionidHeldBy } : { user, outcome: "found" };
}

// WeChat returns a unionid only once the app is bound to an open-platform account, so an identity
// may gain one on a later login. A unionid already recorded is kept.
// Only an account in use gains one: a login may not write to an account being deleted (the
// login that cancels the deletion records it, account/deletion.ts; the next one adds it here).
function gainsUnionid(identity: core.Record, { unionid }: Pick<SigningIn, "unionid">, user?: core.Record): boolean {
  return unionid !== "" && identity.getString("unionid") === "" && (!user || user.getString("users_status") === ACCOUNT_STATUS.active);
}
