// Logout. `current` revokes the token the device presented (token-revocation.ts); `all`
// rotates the user's token key, which voids every token issued to them, on every device.
import { failures, fieldProblem } from "../errors";
import { USERS_COLLECTION } from "../users/users";
import type { JsonObject } from "../validation";
import { revokeToken } from "./token-revocation";

export const LOGOUT_SCOPES = ["current", "all"] as const;
export type LogoutScope = (typeof LOGOUT_SCOPES)[number];

// The body is optional; without one, or without `scope`, only this device logs out.
export function readLogoutRequest(body: JsonObject | null): { scope: LogoutScope } {
  const scope = body?.scope;
  if (scope === undefined || scope === null) return { scope: "current" };
  if (typeof scope !== "string") throw failures.invalidFields({ scope: fieldProblem("validation_invalid_type") });
  if (!(LOGOUT_SCOPES as readonly string[]).includes(scope)) {
    throw failures.invalidFields({ scope: fieldProblem("validation_invalid_value.scope") });
  }
  return { scope: scope as LogoutScope };
}

export function signOut(user: core.Record, token: string, scope: LogoutScope): void {
  if (scope === "current") return revokeToken(user, token);
  // Saved through PocketBase, which also signs out the user's realtime connections.
  $app.runInTransaction((txApp) => {
    const fresh = txApp.findRecordById(USERS_COLLECTION, user.id);
    fresh.refreshTokenKey();
    txApp.save(fresh);
  });
}
