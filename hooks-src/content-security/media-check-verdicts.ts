// WeChat's asynchronous verdict on an avatar (mediaCheckAsync), pushed to /api/wechat/push as
// a wxa_media_check event and matched to the avatar by trace_id. risky removes the picture
// from every user showing it (users_type stays), deletes the file and flags the account.
import { AVATAR_STATUS, MEDIA_CHECK, USER_AVATAR_FIELD, applicationUrl } from "../avatars/avatars";
import { AVATARS_COLLECTION, avatarUrlOf } from "../avatars/avatar-urls";
import { logWarning } from "../log";
import { USERS_COLLECTION } from "../users/users";
import { USER_FLAGS, USERS_FLAGS_FIELD, flagsWith } from "./user-flags";
import type { Suggest } from "./wechat-content-security";

export interface MediaCheckVerdict {
  traceId: string;
  suggest: Suggest;
}

// v2's result.suggest; the older isrisky (0/1) some accounts still receive, as pass/risky.
export function readMediaCheckVerdict(message: Record<string, unknown>): MediaCheckVerdict | null {
  if (message.Event !== "wxa_media_check" || typeof message.trace_id !== "string" || message.trace_id === "") return null;
  const result = message.result as { suggest?: unknown } | undefined;
  const suggest = typeof result === "object" && result !== null ? result.suggest : undefined;
  if (suggest === "pass" || suggest === "review" || suggest === "risky") return { traceId: message.trace_id, suggest };
  if (message.isrisky === 1 || message.isrisky === 0) return { traceId: message.trace_id, suggest: message.isrisky === 1 ? "risky" : "pass" };
  return null;
}

const MEDIA_CHECK_OF: Record<Suggest, string> = { pass: MEDIA_CHECK.pass, review: MEDIA_CHECK.review, risky: MEDIA_CHECK.risky };

export function applyMediaCheckVerdict({ traceId, suggest }: MediaCheckVerdict): void {
  $app.runInTransaction((txApp) => {
    let avatar: core.Record;
    try {
      avatar = txApp.findFirstRecordByData(AVATARS_COLLECTION, "trace_id", traceId);
    } catch {
      // Already replaced, swept or erased: nothing shows it any more.
      logWarning(`A media check verdict for an avatar that is gone (trace_id ${traceId})`);
      return;
    }
    if (avatar.getString("media_check") === MEDIA_CHECK.risky) return;
    const url = avatarUrlOf(applicationUrl(), { recordId: avatar.id, filename: avatar.getString("image") });
    avatar.set("media_check", MEDIA_CHECK_OF[suggest]);
    if (suggest === "risky") {
      avatar.set("status", AVATAR_STATUS.rejected);
      avatar.set("pending_until", "");
      avatar.set("image", []); // PocketBase deletes the file and its thumbnails after the save
    }
    const showing = txApp.findRecordsByFilter(USERS_COLLECTION, `${USER_AVATAR_FIELD} = {:avatar} || users_picture = {:url}`, "", 0, 0, { avatar: avatar.id, url });
    for (const user of showing) {
      if (suggest === "pass") continue;
      if (suggest === "risky") {
        user!.set("users_picture", "");
        user!.set(USER_AVATAR_FIELD, "");
      }
      user!.set(USERS_FLAGS_FIELD, flagsWith(user!.getStringSlice(USERS_FLAGS_FIELD), [suggest === "risky" ? USER_FLAGS.avatarRisky : USER_FLAGS.avatarReview]));
      txApp.save(user!);
    }
    txApp.save(avatar);
  });
}
