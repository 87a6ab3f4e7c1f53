// tbl_auth_users: finding, creating and updating mini-program users.
import { ACCOUNT_STATUS, failureForAccountStatus } from "../account/account-status";
import { failures } from "../errors";
import type { WechatApp } from "../wechat/apps";
import type { ProfileFields } from "./user-profile";
import { USERS_TYPE_GUEST, usersTypeAfterUpdate } from "./user-profile";
import { nextFreeUsersId, usersIdPrefix } from "./users-id";
import { recordRegistrationFacts, type RegistrationFacts } from "../registration/registration-facts";

export const USERS_COLLECTION = "tbl_auth_users";
// A plain table (migration 1764100000), not a collection: neither the API nor the admin UI reach it.
const USERS_ID_COUNTERS_TABLE = "_bai_users_id_counters";

export function findByOpenid(app: CoreApp, openid: string): core.Record | null {
  try {
    return app.findFirstRecordByData(USERS_COLLECTION, "openid", openid);
  } catch {
    return null;
  }
}

// How a user registered, kept for staff (registration/registration-facts.ts).
export interface Registration {
  appId: string;
  route: string;
  ip: string;
  inviteCode?: string;
}

export interface NewUserDetails {
  // Verified by WeChat in this login (phone login).
  phone?: string;
  status?: typeof ACCOUNT_STATUS.active | typeof ACCOUNT_STATUS.pendingApproval;
  companyId?: string;
  registration?: Registration;
}

// A new 游客, inside the registration's transaction (identities/resolution.ts), which also makes
// users_id never collide. openid is the primary mini-program's, empty for a user who came
// through another app.
export function newUser(txApp: CoreApp, wechat: { openid: string; unionid: string }, now = new Date(), details: NewUserDetails = {}, steps: RegistrationSteps = {}): core.Record {
  const user = new Record(txApp.findCachedCollectionByNameOrId(USERS_COLLECTION));
  user.set("openid", wechat.openid);
  user.set("unionid", wechat.unionid);
  user.set("users_id", allocateUsersId(txApp, usersIdPrefix(now)));
  user.set("users_type", USERS_TYPE_GUEST);
  user.set("users_status", details.status ?? ACCOUNT_STATUS.active);
  if (details.phone) user.set("users_phone", details.phone);
  if (details.companyId) user.set("company_id", details.companyId);
  const facts = registrationFactsOf(details.registration, now);
  lockPassword(user);
  steps.beforeSave?.(txApp, user, facts);
  txApp.save(user);
  recordRegistrationFacts(txApp, user.id, facts, null);
  steps.afterSave?.(txApp, user);
  return user;
}

function registrationFactsOf(registration: Registration | undefined, now: Date): RegistrationFacts {
  if (!registration) return {};
  const facts: RegistrationFacts = {
    registered_at: now.toISOString(),
    registered_appid: registration.appId,
    registered_route: registration.route,
    registered_ip: registration.ip,
  };
  if (registration.inviteCode) facts.invite_code = registration.inviteCode;
  return facts;
}

// What else a registration does: beforeTransaction once the login would create a user (no
// identity, no user to join or claim, and the policy admits one), before the registration's
// transaction (it may refuse, or call WeChat: never inside a transaction); beforeSave on the new
// user as newUser filled it in (and the facts staff will see of the registration, which it may add
// to), afterSave once it is saved, both in that transaction.
export interface RegistrationSteps {
  beforeTransaction?(signingIn: { app: WechatApp; openid: string }): void;
  beforeSave?(txApp: CoreApp, user: core.Record, facts: RegistrationFacts): void;
  afterSave?(txApp: CoreApp, user: core.Record): void;
}

// Password sign-in is off, yet an auth record must hold a password hash. Hashing a random
// password, even at bcrypt's least cost (4, migration 1763700000), was a quarter of a
// registration's CPU. This value is no bcrypt hash, so no password can ever match it, should
// password auth be switched on one day: the "!" of /etc/shadow. Staff may still set a real one.
const LOCKED_PASSWORD_HASH = "!locked: BAI users sign in through WeChat only";

function lockPassword(user: core.Record): void {
  const password = user.collection().fields.getByName("password")!;
  user.setRaw("password", password.prepareValue(user, LOCKED_PASSWORD_HASH));
  user.refreshTokenKey();
}

// WeChat returns a unionid only once the app is bound to an open-platform account, so a
// user may gain one on a later login. A unionid already recorded is kept.
export function gainsUnionid(user: core.Record, identity: { unionid: string }): boolean {
  return identity.unionid !== "" && user.getString("unionid") === "";
}

export function isDisabled(user: core.Record): boolean {
  return user.getString("users_status") === ACCOUNT_STATUS.disabled;
}

// The user's status as stored right now, for a record read a while ago.
export function isDisabledNow(user: core.Record): boolean {
  try {
    return isDisabled($app.findRecordById(USERS_COLLECTION, user.id));
  } catch {
    return false;
  }
}

export function requireNotDisabled(user: core.Record): core.Record {
  if (isDisabled(user)) throw failures.accountDisabled();
  return user;
}

// Only an account in use takes a write of its own user: one being deleted, erased or disabled
// is answered as the token check answers it.
function requireWritable(user: core.Record): core.Record {
  const refusal = failureForAccountStatus(user.getString("users_status"));
  if (refusal) throw refusal;
  return user;
}

// Counts the day on in its counter row and skips any users_id staff already gave out.
// Runs inside the registration transaction, so a failed registration gives its number back.
function allocateUsersId(txApp: CoreApp, prefix: string): string {
  const counter = new DynamicModel({ last_sequence: 0 });
  txApp
    .db()
    .newQuery(`SELECT COALESCE((SELECT last_sequence FROM ${USERS_ID_COUNTERS_TABLE} WHERE prefix = {:prefix}), 0) AS last_sequence`)
    .bind({ prefix })
    .one(counter);
  const { usersId, sequence } = nextFreeUsersId(prefix, counter.last_sequence, (candidate) => isUsersIdTaken(txApp, candidate));
  txApp
    .db()
    .newQuery(
      `INSERT INTO ${USERS_ID_COUNTERS_TABLE} (prefix, last_sequence) VALUES ({:prefix}, {:sequence})
       ON CONFLICT (prefix) DO UPDATE SET last_sequence = excluded.last_sequence`,
    )
    .bind({ prefix, sequence })
    .execute();
  return usersId;
}

function isUsersIdTaken(txApp: CoreApp, usersId: string): boolean {
  const row = new DynamicModel({ taken: 0 });
  txApp.db().newQuery(`SELECT EXISTS (SELECT 1 FROM ${USERS_COLLECTION} WHERE users_id = {:usersId}) AS taken`).bind({ usersId }).one(row);
  return row.taken === 1;
}

export function findUserById(app: CoreApp, userId: string): core.Record {
  try {
    return app.findRecordById(USERS_COLLECTION, userId);
  } catch {
    throw failures.userNotFound();
  }
}

export function profileOf(user: core.Record): ProfileFields {
  return {
    users_name: user.getString("users_name"),
    users_phone: user.getString("users_phone"),
    users_picture: user.getString("users_picture"),
  };
}

// What else a profile update does in its transaction: beforeSave sees the re-read user
// still holding its old values; afterSave runs once the user is saved.
export interface ProfileSaveSteps {
  beforeSave?(txApp: CoreApp, user: core.Record): void;
  afterSave?(txApp: CoreApp, user: core.Record): void;
}

// Re-reads the user inside the transaction so that concurrent updates of one user apply the
// users_type rule to the state each of them really replaces, and so that an account whose
// deletion began (or that staff disabled) while WeChat looked up the phone number is refused.
export function updateProfile(userId: string, profile: ProfileFields, steps: ProfileSaveSteps = {}): core.Record {
  let updated: core.Record | undefined;
  $app.runInTransaction((txApp) => {
    const user = requireWritable(findUserById(txApp, userId));
    steps.beforeSave?.(txApp, user);
    user.set("users_type", usersTypeAfterUpdate(user.getString("users_type"), profileOf(user), profile));
    user.set("users_name", profile.users_name);
    user.set("users_phone", profile.users_phone);
    user.set("users_picture", profile.users_picture);
    txApp.save(user);
    steps.afterSave?.(txApp, user);
    updated = user;
  });
  return updated!;
}
