// Partial profile edits (/api/wechat/profile/fields): only the fields sent change. The user is
// re-read inside the transaction, where its status is checked again and only the fields sent are
// set on it, so a staff edit made since the request began (to another field, or a disable) stands.
import { failureForAccountStatus } from "../account/account-status";
import type { FlagChange } from "../content-security/nickname-check";
import { profileSaveSteps } from "../content-security/profile-save";
import { USERS_FLAGS_FIELD, flagsWith } from "../content-security/user-flags";
import type { ProfileFields } from "./user-profile";
import { usersTypeAfterFieldsUpdate } from "./user-profile";
import { findUserById, profileOf, type ProfileSaveSteps } from "./users";

export type ProfileFieldChanges = Partial<ProfileFields>;

const NO_FLAG_CHANGE: FlagChange = { add: [], remove: [] };

// The avatar's lifecycle only when the picture is sent, the nickname's flags only when the name is.
export function profileFieldsSaveSteps(pictureUrl: string | undefined, nicknameFlags: FlagChange = NO_FLAG_CHANGE): ProfileSaveSteps {
  if (pictureUrl !== undefined) return profileSaveSteps(pictureUrl, nicknameFlags);
  return {
    beforeSave: (_, user) => user.set(USERS_FLAGS_FIELD, flagsWith(user.getStringSlice(USERS_FLAGS_FIELD), nicknameFlags.add, nicknameFlags.remove)),
  };
}

export function updateProfileFields(userId: string, changes: ProfileFieldChanges, steps: ProfileSaveSteps = {}): core.Record {
  let updated: core.Record | undefined;
  $app.runInTransaction((txApp) => {
    const user = findUserById(txApp, userId);
    const refusal = failureForAccountStatus(user.getString("users_status"));
    if (refusal) throw refusal;
    steps.beforeSave?.(txApp, user);
    const before = profileOf(user);
    const after = { ...before, ...definedOnly(changes) };
    user.set("users_type", usersTypeAfterFieldsUpdate(user.getString("users_type"), before, after));
    for (const [name, value] of Object.entries(definedOnly(changes))) user.set(name, value);
    txApp.save(user);
    steps.afterSave?.(txApp, user);
    updated = user;
  });
  return updated!;
}

function definedOnly(changes: ProfileFieldChanges): ProfileFieldChanges {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}
