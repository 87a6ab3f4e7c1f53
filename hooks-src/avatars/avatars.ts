// tbl_user_avatars: uploaded avatars, each owned by one user. An upload is 待使用 (pending)
// until a profile update puts its URL in users_picture, then 使用中 (in use) and linked from
// the user's users_avatar, so that staff see it as a thumbnail in the admin UI. An upload
// never changes users_picture itself: the users_type rule needs name, phone and picture to go
// from all empty to all filled in one profile update.
//
// What keeps the disk bounded: a user has at most MAX_PENDING_AVATARS pending uploads (a new
// one removes the oldest), a pending upload is swept PENDING_AVATAR_TTL_MS after it was
// made, and the avatar a profile update replaces is deleted in that update's transaction.
// Deleting a record makes PocketBase delete its file and thumbnails (local or S3).
//
// An upload is checked against its owner as the owner is when the upload is written, not as
// the token found them when the request began: the file may take seconds to arrive, and
// meanwhile the account may be disabled, leave for deletion (注销中) or be erased.
import { failureForAccountStatus } from "../account/account-status";
import { failures } from "../errors";
import { logWarning } from "../log";
import { avatarNotUsable } from "./avatar-errors";
import { AVATARS_COLLECTION, avatarUrlOf, avatarUrlPrefix, isUnderOurFiles, parseAvatarUrl } from "./avatar-urls";
import { FILE_EXTENSIONS } from "./image-type";
import type { UploadedImage } from "./avatar-upload";
import { USERS_COLLECTION } from "../users/users";
import { storedDate } from "../database/stored-dates";

export const MAX_PENDING_AVATARS = 3;
export const PENDING_AVATAR_TTL_MS = 24 * 60 * 60 * 1000;

export const AVATAR_STATUS = { pending: "待使用", inUse: "使用中", rejected: "违规" } as const;
export const MEDIA_CHECK = { notChecked: "未检测", checking: "检测中", pass: "通过", review: "待复核", risky: "违规", failed: "提交失败" } as const;
export const USER_AVATAR_FIELD = "users_avatar";

export interface StoredAvatar {
  id: string;
  url: string;
  // The owner's openid as read in the transaction that stored the avatar.
  ownerOpenid: string;
}

export function applicationUrl(): string {
  return $app.settings().meta.appURL;
}

// Throws 403/410 (as login and the token check answer) for an owner who is no longer 正常,
// 404 for one who is gone; then nothing is written.
export function storeAvatar(userId: string, image: UploadedImage, now = Date.now()): StoredAvatar {
  let stored: StoredAvatar | undefined;
  $app.runInTransaction((txApp) => {
    const owner = activeOwner(txApp, userId);
    const avatar = new Record(txApp.findCachedCollectionByNameOrId(AVATARS_COLLECTION));
    avatar.set("user", userId);
    // A Uint8Array reaches Go as the []byte itself, no copy.
    avatar.set("image", $filesystem.fileFromBytes(image.bytes as unknown as number[], `avatar.${FILE_EXTENSIONS[image.type]}`));
    avatar.set("status", AVATAR_STATUS.pending);
    avatar.set("pending_until", new Date(now + PENDING_AVATAR_TTL_MS).toISOString());
    avatar.set("media_check", MEDIA_CHECK.notChecked);
    txApp.save(avatar);
    const pending = txApp.findRecordsByFilter(AVATARS_COLLECTION, "user = {:user} && status = {:status}", "-created,-id", 0, 0, {
      user: userId,
      status: AVATAR_STATUS.pending,
    });
    for (const stale of pending.filter((record) => record!.id !== avatar.id).slice(MAX_PENDING_AVATARS - 1)) txApp.delete(stale!);
    stored = { id: avatar.id, url: avatarUrlOf(applicationUrl(), { recordId: avatar.id, filename: avatar.getString("image") }), ownerOpenid: owner.getString("openid") };
  });
  return stored!;
}

function activeOwner(txApp: CoreApp, userId: string): core.Record {
  let owner: core.Record;
  try {
    owner = txApp.findRecordById(USERS_COLLECTION, userId);
  } catch {
    throw failures.userNotFound();
  }
  const refusal = failureForAccountStatus(owner.getString("users_status"));
  if (refusal) throw refusal;
  return owner;
}

function findAvatar(app: CoreApp, id: string): core.Record | null {
  try {
    return app.findRecordById(AVATARS_COLLECTION, id);
  } catch {
    return null;
  }
}

// Nothing to do when it is gone already (an erasure deletes the avatars of the account).
export function deleteAvatar(app: CoreApp, id: string): void {
  const avatar = findAvatar(app, id);
  if (avatar) app.delete(avatar);
}

// The avatar a users_picture URL names, when it is one of ours; null for any other URL.
// Anything under our files path must be a live avatar of this very user, else 400 on
// users_picture: checked before the billed phone call, and again inside the transaction.
export function avatarForProfilePicture(app: CoreApp, userId: string, pictureUrl: string): core.Record | null {
  const appUrl = applicationUrl();
  if (!isUnderOurFiles(appUrl, pictureUrl)) return null;
  const reference = parseAvatarUrl(appUrl, pictureUrl);
  const avatar = reference ? findAvatar(app, reference.recordId) : null;
  if (
    !avatar ||
    avatar.getString("user") !== userId ||
    avatar.getString("image") !== reference!.filename ||
    avatar.getString("status") === AVATAR_STATUS.rejected
  ) {
    throw failures.invalidFields({ users_picture: avatarNotUsable() });
  }
  return avatar;
}

// The profile update's part in the avatar lifecycle, run inside its transaction: before the
// save, the new avatar (if the picture is one of ours) becomes 使用中 and linked; after the
// save, the avatar it replaced is deleted.
export function avatarStepsOfProfileSave(pictureUrl: string) {
  let replaced = "";
  return {
    beforeSave(txApp: CoreApp, user: core.Record): void {
      const avatar = avatarForProfilePicture(txApp, user.id, pictureUrl);
      const previous = user.getString(USER_AVATAR_FIELD);
      if (avatar && avatar.getString("status") !== AVATAR_STATUS.inUse) {
        avatar.set("status", AVATAR_STATUS.inUse);
        avatar.set("pending_until", "");
        txApp.save(avatar);
      }
      user.set(USER_AVATAR_FIELD, avatar ? avatar.id : "");
      if (previous !== "" && previous !== (avatar?.id ?? "")) replaced = previous;
    },
    afterSave(txApp: CoreApp): void {
      if (replaced !== "") deleteAvatar(txApp, replaced);
    },
  };
}

// Cron: deletes pending uploads past their time. Each in its own small transaction.
export function sweepExpiredPendingAvatars(now = Date.now()): void {
  const expired = $app.findRecordsByFilter(AVATARS_COLLECTION, "status = {:status} && pending_until != '' && pending_until < {:now}", "pending_until", 500, 0, {
    status: AVATAR_STATUS.pending,
    now: storedDate(new Date(now)),
  });
  for (const avatar of expired) {
    try {
      $app.delete(avatar!);
    } catch (error) {
      logWarning(`Could not delete expired avatar ${avatar!.id}: ${String(error)}`);
    }
  }
}

// For account erasure: every avatar of the user, files included. Deleting the user record
// does the same by itself (the avatars' user relation cascades).
export function deleteAvatarsOfUser(txApp: CoreApp, userId: string): void {
  for (const avatar of txApp.findRecordsByFilter(AVATARS_COLLECTION, "user = {:user}", "", 0, 0, { user: userId })) txApp.delete(avatar!);
}

// A profile keeps the avatar URL it was given, which starts with the Application URL of that
// moment. When the Application URL changes (it was wrong, or the host moved), the stored URLs
// that start with the old one move to the new one: same files, an address that loads. One
// statement, straight in SQL: no record hook, no realtime event, no audit entry. Answers how
// many profiles changed.
export function moveStoredAvatarUrls(app: CoreApp, fromAppUrl: string, toAppUrl: string): number {
  const from = avatarUrlPrefix(fromAppUrl);
  const to = avatarUrlPrefix(toAppUrl);
  if (from === to || !app.hasTable(USERS_COLLECTION)) return 0;
  const result = app
    .db()
    .newQuery(
      `UPDATE {{${USERS_COLLECTION}}} SET [[users_picture]] = {:to} || substr([[users_picture]], length({:from}) + 1) ` +
        `WHERE substr([[users_picture]], 1, length({:from})) = {:from}`,
    )
    .bind({ from, to })
    .execute();
  return result.rowsAffected();
}
