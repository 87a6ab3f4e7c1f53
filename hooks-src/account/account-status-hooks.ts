// onRecordUpdate on tbl_auth_users (pb_hooks/bai_wechat_auth.pb.js): the lifecycle rules hold for
// every save of a user, whether our routes, the erasure cron or staff in the admin UI make it.
// Whatever this changes is written by the same UPDATE as the save itself, so no crash can
// leave a record half-erased or 注销中 without a due date.
import { deleteAvatarsOfUser, USER_AVATAR_FIELD } from "../avatars/avatars";
import { deleteIdentitiesOfUser } from "../identities/identities";
import { USERS_FLAGS_FIELD } from "../content-security/user-flags";
import { unlinkConsentsOf } from "../consents/consent-ledger";
import { forgetRegistrationIp } from "../registration/registration-facts";
import {
  DELETION_DUE_REQUIRED,
  deletionDueAction,
  deletionDueAt,
  effectiveDeletionDue,
  effectsOfStatusChange,
  ERASED_FIELDS,
  readDeletionCooloffDays,
} from "./account-status";

export const DELETION_DUE_FIELD = "users_deletion_due";

export function applyAccountStatusRules(e: core.RecordEvent): void {
  const user = e.record!;
  const original = user.original();
  const effects = effectsOfStatusChange(original.getString("users_status"), user.getString("users_status"));
  if (effects.refusal) throw new BadRequestError(effects.refusal);
  applyDeletionDueRule(user, original);
  if (effects.erase) erasePersonalData(user);
  if (effects.rotateTokenKey) user.refreshTokenKey();
  e.next();
  // The uploaded avatars and the WeChat identities live in their own collections: deleted in the
  // same transaction, once the saved user no longer links any of them.
  if (effects.erase) {
    deleteAvatarsOfUser(e.app, user.id);
    deleteIdentitiesOfUser(e.app, user.id);
    // Consent rows stay as evidence, no longer linked to the person.
    unlinkConsentsOf(e.app, user.id);
    forgetRegistrationIp(e.app, user.id);
  }
}

// Staff may set the due date themselves when they start a deletion, or move it later; emptying
// it is refused with an error on the field, which the admin UI shows under it.
function applyDeletionDueRule(user: core.Record, original: core.Record): void {
  const action = deletionDueAction(
    { status: original.getString("users_status"), due: original.getString(DELETION_DUE_FIELD) },
    { status: user.getString("users_status"), due: user.getString(DELETION_DUE_FIELD) },
  );
  if (action === "refuse") {
    throw new BadRequestError(DELETION_DUE_REQUIRED, { [DELETION_DUE_FIELD]: new ValidationError("validation_deletion_due_required", DELETION_DUE_REQUIRED) });
  }
  if (action === "clear") user.set(DELETION_DUE_FIELD, "");
  if (action === "schedule") user.set(DELETION_DUE_FIELD, deletionDueAt(new Date(), readDeletionCooloffDays()).toISOString());
  if (action === "fromLastChange") {
    const lastChangedAt = new Date(original.getDateTime("updated").time().unixMilli());
    user.set(DELETION_DUE_FIELD, effectiveDeletionDue(null, lastChangedAt, readDeletionCooloffDays()).toISOString());
  }
}

// PocketBase deletes the files a save drops once the save has committed.
function erasePersonalData(user: core.Record): void {
  for (const name of ERASED_FIELDS) user.set(name, "");
  user.set(USER_AVATAR_FIELD, "");
  user.set(USERS_FLAGS_FIELD, []);
  for (const field of user.collection().fields) if (field.type() === "file") user.set(field.getName(), []);
}
