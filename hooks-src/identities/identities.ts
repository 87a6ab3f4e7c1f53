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

// What a login reads of its identity before deciding it needs no write: a plain query of three
// columns costs a login about half of what a record query of the identity does.
export interface IdentityRow {
  user: string;
  unionid: string;
  // As SQLite holds it ("2026-12-05 10:00:00.000Z"), or "" for never.
  last_login: string;
}

export function findIdentityRow(app: CoreApp, appId: string, openid: string): IdentityRow | null {
  const rows = arrayOf(new DynamicModel({ user: "", unionid: "", last_login: "" }));
  app
    .db()
    .newQuery(`SELECT user, unionid, last_login FROM ${IDENTITIES_COLLECTION} WHERE appid = {:appId} AND openid = {:openid} LIMIT 1`)
    .bind({ appId, openid })
    .all(rows);
  return rows.length > 0 ? { user: rows[0].user, unionid: rows[0].unionid, last_login: rows[0].last_login } : null;
}

// A stored date (PocketBase's "2026-12-05 10:00:00.000Z") in ms, or 0 for none.
export function storedDateMs(value: string): number {
  if (value === "") return 0;
  const ms = Date.parse(value.replace(" ", "T"));
  return Number.isNaN(ms) ? 0 : ms;
}

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
