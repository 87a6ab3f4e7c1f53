// tbl_user_identities: each (appid, openid) a user signs in with, joined by unionid.
import type { AppKind } from "../wechat/apps";

export const IDENTITIES_COLLECTION = "tbl_user_identities";
// last_login is written at most this often, so that an existing user's login stays read-only.
export const LAST_LOGIN_PRECISION_MS = 60 * 60 * 1000;

export function findIdentity(app: CoreApp, appId: string, openid: string): core.Record | null {
  const found = arrayOf(new Record(app.findCachedCollectionByNameOrId(IDENTITIES_COLLECTION)));
  app.recordQuery(IDENTITIES_COLLECTION).andWhere($dbx.hashExp({ appid: appId, openid })).limit(1).all(found);
  return found.length > 0 ? found[0] : null;
}

export function identitiesOfUser(app: CoreApp, userId: string): core.Record[] {
  return app.findRecordsByFilter(IDENTITIES_COLLECTION, "user = {:user}", "first_login", 0, 0, { user: userId }) as core.Record[];
}

// The distinct users whose identities carry this unionid, at most `limit` of them.
export function usersHoldingUnionid(app: CoreApp, unionid: string, limit = 2): string[] {
  const rows = arrayOf(new DynamicModel({ user: "" }));
  app.db().newQuery(`SELECT DISTINCT user FROM ${IDENTITIES_COLLECTION} WHERE unionid = {:unionid} LIMIT {:limit}`).bind({ unionid, limit }).all(rows);
  return rows.map((row) => row.user);
}

export interface NewIdentity {
  appId: string;
  kind: AppKind;
  openid: string;
  unionid: string;
}

export function addIdentity(txApp: CoreApp, userId: string, identity: NewIdentity, now: Date): core.Record {
  const record = new Record(txApp.findCachedCollectionByNameOrId(IDENTITIES_COLLECTION));
  record.set("user", userId);
  record.set("kind", identity.kind);
  record.set("appid", identity.appId);
  record.set("openid", identity.openid);
  record.set("unionid", identity.unionid);
  record.set("last_login", now.toISOString());
  txApp.save(record);
  return record;
}

export function isLastLoginStale(identity: core.Record, now: Date): boolean {
  const last = identity.getDateTime("last_login");
  return last.isZero() || now.getTime() - last.unix() * 1000 >= LAST_LOGIN_PRECISION_MS;
}

export function deleteIdentitiesOfUser(app: CoreApp, userId: string): void {
  app.db().newQuery(`DELETE FROM ${IDENTITIES_COLLECTION} WHERE user = {:user}`).bind({ user: userId }).execute();
}
