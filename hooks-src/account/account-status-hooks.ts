// onRecordUpdate on tbl_auth_users (pb_hooks/bai_wechat_auth.pb.js): the lifecycle rules hold for
// every save of a user, whether our routes, the erasure cron or staff in the admin UI make it.
// Whatever this changes is written by the same UPDATE as the save itself, so no crash can
// leave a record half-erased or 注销中 without a due date.
import { deleteAvatarsOfUser, USER_AVATAR_FIELD } from "../avatars/avatars";
import { USERS_FLAGS_FIELD } from "../content-security/user-flags";
import { unlinkConsentsOf } from "../consents/consent-ledger";
import { deletionDueAt, effectsOfStatusChange, ERASED_FIELDS, readDeletionCooloffDays } from "./account-status";

export const DELETION_DUE_FIELD = "users_deletion_due";

export function applyAccountStatusRules(e: core.RecordEvent): void {
  const user = e.record!;
  const effects = effectsOfStatusChange(user.original().getString("users_status"), user.getString("users_status"));
  if (effects.refusal) throw new BadRequestError(effects.refusal);
  // Staff may set the due date themselves when they start a deletion, or move it later.
  if (effects.scheduleDeletion && user.getString(DELETION_DUE_FIELD) === "") {
    user.set(DELETION_DUE_FIELD, deletionDueAt(new Date(), readDeletionCooloffDays()).toISOString());
  }
  if (effects.clearDeletionDue) user.set(DELETION_DUE_FIELD, "");
  if (effects.erase) erasePersonalData(user);
  if (effects.rotateTokenKey) user.refreshTokenKey();
  e.next();
  // The uploaded avatars live in their own collection: deleted in the same transaction, once the
  // saved user no longer links any of them.
  if (effects.erase) deleteAvatarsOfUser(e.app, user.id);
  // Consent rows stay as evidence, no longer linked to the person.
  if (effects.erase) unlinkConsentsOf(e.app, user.id);
}

// PocketBase deletes the files a save drops once the save has committed.
function erasePersonalData(user: core.Record): void {
  for (const name of ERASED_FIELDS) user.set(name, "");
  user.set(USER_AVATAR_FIELD, "");
  user.set(USERS_FLAGS_FIELD, []);
  for (const field of user.collection().fields) if (field.type() === "file") user.set(field.getName(), []);
}
