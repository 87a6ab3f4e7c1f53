// A signed-in user binds another app's identity to themselves, or unbinds one. Binding never
// switches accounts: an identity (or a unionid) that belongs to someone else is 409 bind_conflict,
// and staff merge the two users if they are one person. Each runs in one transaction on the
// state as re-read there.
import { failures } from "../errors";
import { USERS_COLLECTION } from "../users/users";
import type { WechatApp } from "../wechat/apps";
import { addIdentity, findIdentity, IDENTITIES_COLLECTION, identitiesOfUser, usersHoldingUnionid } from "./identities";

export function bindIdentity(userId: string, app: WechatApp, wechat: { openid: string; unionid: string }, now = new Date()): { bound: boolean; identity: core.Record } {
  let result: { bound: boolean; identity: core.Record } | undefined;
  $app.runInTransaction((txApp) => {
    const existing = findIdentity(txApp, app.appId, wechat.openid);
    if (existing) {
      if (existing.getString("user") !== userId) throw failures.bindConflict();
      result = { bound: false, identity: existing };
      return;
    }
    if (wechat.unionid !== "" && usersHoldingUnionid(txApp, wechat.unionid).some((holder) => holder !== userId)) throw failures.bindConflict();
    const user = txApp.findRecordById(USERS_COLLECTION, userId);
    let userChanged = false;
    if (wechat.unionid !== "" && user.getString("unionid") === "") {
      user.set("unionid", wechat.unionid);
      userChanged = true;
    }
    if (app.primary && user.getString("openid") === "") {
      user.set("openid", wechat.openid);
      userChanged = true;
    }
    if (userChanged) txApp.save(user);
    result = { bound: true, identity: addIdentity(txApp, userId, { appId: app.appId, kind: app.kind, openid: wechat.openid, unionid: wechat.unionid }, now) };
  });
  return result!;
}

// Not the caller's: 404, as if it did not exist. The last identity of a user without a phone
// number is kept: without it nothing could ever sign them in again.
export function unbindIdentity(userId: string, identityId: string): core.Record {
  let removed: core.Record | undefined;
  $app.runInTransaction((txApp) => {
    let identity: core.Record;
    try {
      identity = txApp.findRecordById(IDENTITIES_COLLECTION, identityId);
    } catch {
      throw failures.identityNotFound();
    }
    if (identity.getString("user") !== userId) throw failures.identityNotFound();
    const user = txApp.findRecordById(USERS_COLLECTION, userId);
    if (identitiesOfUser(txApp, userId).length === 1 && user.getString("users_phone") === "") throw failures.lastIdentity();
    if (user.getString("openid") === identity.getString("openid")) {
      user.set("openid", "");
      txApp.save(user);
    }
    txApp.delete(identity);
    removed = identity;
  });
  return removed!;
}
