// tbl_user_identities: each (appid, openid) a user signs in with, joined by unionid.
import { PreparedQuery } from "../database/prepared-query";
import { storedDate } from "../database/stored-dates";
import type { AppKind } from "../wechat/apps";

export const IDENTITIES_COLLECTION = "tbl_user_identities";
// users/users.ts's USERS_COLLECTION: that module reads identities, so it is not imported here.
const USERS_COLLECTION = "tbl_auth_users";
// last_login is written at most this often, so that an existing user's login stays read-only.
export const LAST_LOGIN_PRECISION_MS = 60 * 60 * 1000;

export function findIdentity(app: CoreApp, appId: string, openid: string): core.Record | null {
  const found = arrayOf(new Record(app.findCachedCollectionByNameOrId(IDENTITIES_COLLECTION)));
  app.recordQuery(IDENTITIES_COLLECTION).andWhere($dbx.hashExp({ appid: appId, openid })).limit(1).all(found);
  return found.length > 0 ? found[0] : null;
}

// The user of this identity, when this login needs to store nothing about it: the identity gains
// no unionid (gainsUnionid in resolution.ts) and its last_login is not yet due (isLastLoginStale).
// An existing user's login, the most common request after a token's renewal, asks only this: one
// statement, prepared once per VM. null sends the login on to the transaction, which reads again.
export function findSettledUser(appId: string, openid: string, unionid: string, now: Date): core.Record | null {
  const users = $app.findCachedCollectionByNameOrId(USERS_COLLECTION);
  const found = arrayOf(new Record(users));
  settledUserQuery
    .query(users.updated.string())
    .bind({ appId, openid, unionid, dueBefore: storedDate(new Date(now.getTime() - LAST_LOGIN_PRECISION_MS)) })
    .all(found);
  return found.length > 0 ? found[0] : null;
}

const settledUserQuery = new PreparedQuery(() =>
  $app
    .recordQuery(USERS_COLLECTION)
    .innerJoin(`${IDENTITIES_COLLECTION} identity`, $dbx.exp(`identity.user = ${USERS_COLLECTION}.id`))
    .andWhere(
      $dbx.exp("identity.appid = {:appId} AND identity.openid = {:openid} AND (identity.unionid != '' OR {:unionid} = '') AND identity.last_login > {:dueBefore}", {
        appId: "",
        openid: "",
        unionid: "",
        dueBefore: "",
      }),
    )
    .limit(1)
    .build(),
);

export function isLastLoginStaleAt(lastLoginMs: number, now: Date): boolean {
  return lastLoginMs === 0 || now.getTime() - lastLoginMs >= LAST_LOGIN_PRECISION_MS;
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
  return isLastLoginStaleAt(last.isZero() ? 0 : last.unix() * 1000, now);
}

export function deleteIdentitiesOfUser(app: CoreApp, userId: string): void {
  app.db().newQuery(`DELETE FROM ${IDENTITIES_COLLECTION} WHERE user = {:user}`).bind({ user: userId }).execute();
}
