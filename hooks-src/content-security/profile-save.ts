// What a profile update does in its transaction besides the three fields: the avatar's
// lifecycle (link the new one, delete the replaced one) and the nickname's flags.
import { avatarStepsOfProfileSave } from "../avatars/avatars";
import type { ProfileSaveSteps } from "../users/users";
import type { FlagChange } from "./nickname-check";
import { USERS_FLAGS_FIELD, flagsWith } from "./user-flags";

export function profileSaveSteps(pictureUrl: string, nicknameFlags: FlagChange): ProfileSaveSteps {
  const avatar = avatarStepsOfProfileSave(pictureUrl);
  return {
    beforeSave(txApp, user) {
      avatar.beforeSave(txApp, user);
      user.set(USERS_FLAGS_FIELD, flagsWith(user.getStringSlice(USERS_FLAGS_FIELD), nicknameFlags.add, nicknameFlags.remove));
    },
    afterSave: avatar.afterSave,
  };
}
