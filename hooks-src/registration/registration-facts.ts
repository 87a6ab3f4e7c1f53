// How each user came in (the login that registered them, the phone login that claimed a user staff
// made) and WeChat's risk rank at registration: one row of tbl_user_registrations per user, for
// staff. Not on tbl_auth_users: PocketBase reads every column of the user on every authenticated
// request, and these, read by staff alone, made its own routes 8–20 % dearer (migration 1765000000).
export const REGISTRATIONS_COLLECTION = "tbl_user_registrations";

export interface RegistrationFacts {
  registered_at?: string;
  registered_appid?: string;
  registered_route?: string;
  registered_ip?: string;
  invite_code?: string;
  claimed_at?: string;
  risk_rank?: string;
  risk_checked?: string;
}

// In the transaction that registers or claims the user: adds the facts to the user's row. `existing`
// is that row, or null for a user the same transaction created, who has none yet.
export function recordRegistrationFacts(txApp: CoreApp, userId: string, facts: RegistrationFacts, existing = registrationOf(txApp, userId)): void {
  if (Object.keys(facts).length === 0) return;
  const row = existing ?? new Record(txApp.findCachedCollectionByNameOrId(REGISTRATIONS_COLLECTION), { user: userId });
  for (const [field, value] of Object.entries(facts)) row.set(field, value);
  txApp.save(row);
}

export function registrationOf(app: CoreApp, userId: string): core.Record | null {
  try {
    return app.findFirstRecordByData(REGISTRATIONS_COLLECTION, "user", userId);
  } catch {
    return null;
  }
}

// A user a login registered, not one staff made.
export function wasRegisteredBySignIn(app: CoreApp, userId: string): boolean {
  const registration = registrationOf(app, userId);
  return registration !== null && !registration.getDateTime("registered_at").isZero();
}

// The erasure keeps how the account came in, not from where.
export function forgetRegistrationIp(txApp: CoreApp, userId: string): void {
  txApp
    .db()
    .newQuery(`UPDATE {{${REGISTRATIONS_COLLECTION}}} SET [[registered_ip]] = '' WHERE [[user]] = {:user}`)
    .bind({ user: userId })
    .execute();
}
