// tbl_auth_users: finding, creating and updating mini-program users.
import { failures } from "../errors";
import type { WechatSession } from "../wechat/client";
import type { ProfileFields } from "./user-profile";
import { USERS_TYPE_GUEST, nextUsersId, usersIdPrefix, usersTypeAfterUpdate } from "./user-profile";

export const USERS_COLLECTION = "tbl_auth_users";
const USERS_STATUS_ACTIVE = "正常";
const USERS_STATUS_DISABLED = "禁用";

function findByOpenid(app: CoreApp, openid: string): core.Record | null {
  try {
    return app.findFirstRecordByData(USERS_COLLECTION, "openid", openid);
  } catch {
    return null;
  }
}

// The first login of an openid runs in a transaction. PocketBase funnels every write
// transaction through one connection, so the check for an existing openid, the read of
// the day's last users_id and the insert see no other registration in between:
// simultaneous first logins make one user, and users_id never collides.
// The unique indexes on openid and users_id back this up.
export function findOrCreateUser(identity: WechatSession, now = new Date()): { user: core.Record; created: boolean } {
  const existing = findByOpenid($app, identity.openid);
  if (existing) return { user: recordUnionid(requireActive(existing), identity.unionid), created: false };

  let outcome: { user: core.Record; created: boolean } | undefined;
  $app.runInTransaction((txApp) => {
    const raced = findByOpenid(txApp, identity.openid);
    if (raced) {
      outcome = { user: requireActive(raced), created: false };
      return;
    }
    const user = new Record(txApp.findCachedCollectionByNameOrId(USERS_COLLECTION));
    user.set("openid", identity.openid);
    user.set("unionid", identity.unionid);
    user.set("users_id", nextUsersId(usersIdPrefix(now), lastUsersIdOfDay(txApp, usersIdPrefix(now))));
    user.set("users_type", USERS_TYPE_GUEST);
    user.set("users_status", USERS_STATUS_ACTIVE);
    user.setRandomPassword();
    txApp.save(user);
    outcome = { user, created: true };
  });
  return outcome!;
}

export function isDisabled(user: core.Record): boolean {
  return user.getString("users_status") === USERS_STATUS_DISABLED;
}

function requireActive(user: core.Record): core.Record {
  if (isDisabled(user)) throw failures.accountDisabled();
  return user;
}

// The day's highest users_id, in two index lookups: ids past 9999 have a fifth digit and
// sort wrongly as text, so they are looked for first, longest then greatest, through the
// (length(users_id), users_id) index; without any, the plain greatest id of the day is last.
function lastUsersIdOfDay(txApp: CoreApp, prefix: string): string {
  const row = new DynamicModel({ last: "" });
  txApp
    .db()
    .newQuery(
      `SELECT COALESCE(
         (SELECT users_id FROM ${USERS_COLLECTION} INDEXED BY idx_tbl_auth_users_users_id_length
          WHERE length(users_id) > {:fourDigitLength} AND users_id >= {:from} AND users_id < {:to}
          ORDER BY length(users_id) DESC, users_id DESC LIMIT 1),
         (SELECT MAX(users_id) FROM ${USERS_COLLECTION} WHERE users_id >= {:from} AND users_id < {:to}),
         '') AS last`,
    )
    .bind({ fourDigitLength: prefix.length + 4, from: prefix, to: prefix + "~" })
    .one(row);
  return row.last;
}

// WeChat returns a unionid only once the app is bound to an open platform account,
// so a user may gain one on a later login.
function recordUnionid(user: core.Record, unionid: string): core.Record {
  if (unionid !== "" && user.getString("unionid") === "") {
    user.set("unionid", unionid);
    $app.save(user);
  }
  return user;
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
