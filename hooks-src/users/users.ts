// tbl_auth_users: finding, creating and updating mini-program users.
import { failures } from "../errors";
import type { WechatSession } from "../wechat/client";
import type { ProfileFields } from "./user-profile";
import { USERS_TYPE_GUEST, usersTypeAfterUpdate } from "./user-profile";
import { nextFreeUsersId, usersIdPrefix } from "./users-id";

export const USERS_COLLECTION = "tbl_auth_users";
// A plain table (migration 1764100000), not a collection: neither the API nor the admin UI reach it.
const USERS_ID_COUNTERS_TABLE = "_bai_users_id_counters";
const USERS_STATUS_ACTIVE = "正常";
const USERS_STATUS_DISABLED = "禁用";

function findByOpenid(app: CoreApp, openid: string): core.Record | null {
  try {
    return app.findFirstRecordByData(USERS_COLLECTION, "openid", openid);
  } catch {
    return null;
  }
}

// A login that only reads needs no transaction. Every write runs in one, on the user as
// re-read there: PocketBase funnels write transactions through one connection, so nothing
// lands between that read and the save. A save writes every column, so saving the record
// read before would undo any staff edit made since, a disable included.
// For a first login this also means that simultaneous first logins of an openid make one
// user, and that users_id never collides. The unique indexes on openid and users_id back
// this up.
export function findOrCreateUser(identity: WechatSession, registration: RegistrationSteps = {}, now = new Date()): { user: core.Record; created: boolean } {
  const existing = findByOpenid($app, identity.openid);
  if (existing && !gainsUnionid(existing, identity)) return { user: requireActive(existing), created: false };
  if (!existing) registration.beforeTransaction?.(identity);

  let outcome: { user: core.Record; created: boolean } | undefined;
  $app.runInTransaction((txApp) => {
    const current = findByOpenid(txApp, identity.openid);
    if (current) {
      requireActive(current);
      if (gainsUnionid(current, identity)) {
        current.set("unionid", identity.unionid);
        txApp.save(current);
      }
      outcome = { user: current, created: false };
      return;
    }
    const user = new Record(txApp.findCachedCollectionByNameOrId(USERS_COLLECTION));
    user.set("openid", identity.openid);
    user.set("unionid", identity.unionid);
    user.set("users_id", allocateUsersId(txApp, usersIdPrefix(now)));
    user.set("users_type", USERS_TYPE_GUEST);
    user.set("users_status", USERS_STATUS_ACTIVE);
    user.setRandomPassword();
    registration.beforeSave?.(txApp, user);
    txApp.save(user);
    registration.afterSave?.(txApp, user);
    outcome = { user, created: true };
  });
  return outcome!;
}

// What else a registration does: beforeTransaction once no user has the openid, before the
// registration's transaction (it may refuse, or call WeChat: never inside a transaction);
// beforeSave on the new user, afterSave once it is saved, both in that transaction.
export interface RegistrationSteps {
  beforeTransaction?(identity: WechatSession): void;
  beforeSave?(txApp: CoreApp, user: core.Record): void;
  afterSave?(txApp: CoreApp, user: core.Record): void;
}

// WeChat returns a unionid only once the app is bound to an open-platform account, so a
// user may gain one on a later login. A unionid already recorded is kept.
function gainsUnionid(user: core.Record, identity: WechatSession): boolean {
  return identity.unionid !== "" && user.getString("unionid") === "";
}

export function isDisabled(user: core.Record): boolean {
  return user.getString("users_status") === USERS_STATUS_DISABLED;
}

// The user's status as stored right now, for a record read a while ago.
export function isDisabledNow(user: core.Record): boolean {
  try {
    return isDisabled($app.findRecordById(USERS_COLLECTION, user.id));
  } catch {
    return false;
  }
}

function requireActive(user: core.Record): core.Record {
  if (isDisabled(user)) throw failures.accountDisabled();
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

function findUserById(app: CoreApp, userId: string): core.Record {
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

// Re-reads the user inside the transaction so that concurrent updates of one user
// apply the users_type rule to the state each of them really replaces.
export function updateProfile(userId: string, profile: ProfileFields, steps: ProfileSaveSteps = {}): core.Record {
  let updated: core.Record | undefined;
  $app.runInTransaction((txApp) => {
    const user = requireActive(findUserById(txApp, userId));
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
