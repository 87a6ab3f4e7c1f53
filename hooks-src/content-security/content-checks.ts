// The two content checks as the routes use them: the nickname's, synchronous, before the
// billed phone call; the avatar's, submitted after the upload, its verdict pushed later.
import { AVATARS_COLLECTION } from "../avatars/avatar-urls";
import { deleteAvatar, MEDIA_CHECK, type StoredAvatar } from "../avatars/avatars";
import { ApiFailure } from "../errors";
import { describeError, logWarning } from "../log";
import type { WechatClient } from "../wechat/client";
import { isWechatError } from "../wechat/errors";
import { wechatClientFromEnvironment } from "../wechat/wechat";
import { readContentSecurityConfig, type ContentSecurityConfig } from "./config";
import { contentCheckUnavailable, nicknameFlagChange, type FlagChange, type NicknameVerdict } from "./nickname-check";
import { checkText, submitImageCheck } from "./wechat-content-security";

// Throws 400 (risky) or 503 (WeChat failed, fail-closed); otherwise the flags to set.
export function checkNickname(wechat: WechatClient, user: core.Record, name: string, config: ContentSecurityConfig = readContentSecurityConfig()): FlagChange {
  if (!config.nicknameCheck) return nicknameFlagChange("off", config.failClosed);
  let verdict: NicknameVerdict;
  const openid = user.getString("openid");
  try {
    // WeChat needs the openid; a user staff created by hand has none, so cannot be checked.
    verdict = openid === "" ? "unavailable" : checkText(wechat, openid, name);
  } catch (error) {
    if (!isWechatError(error)) throw error;
    logWarning(`msgSecCheck failed, nickname stored as 昵称未检测 or refused per WECHAT_CONTENT_CHECK_FAILURE: ${describeError(error)}`);
    verdict = "unavailable";
  }
  return nicknameFlagChange(verdict, config.failClosed);
}

// Submits a new upload to mediaCheckAsync, with the openid its owner had when it was stored
// (never the one a token was issued to: the account may have been erased since). Without the
// push endpoint the verdict could never arrive, so nothing is submitted (未检测). A failed
// submission is 提交失败, or with fail-closed the upload is undone and answered 503.
export function submitAvatarForCheck(avatar: StoredAvatar, config: ContentSecurityConfig = readContentSecurityConfig()): void {
  if (!config.avatarCheck || !config.push) return;
  let traceId: string;
  try {
    if (avatar.ownerOpenid === "") return;
    traceId = submitImageCheck(wechatClientFromEnvironment(), avatar.ownerOpenid, avatar.url);
  } catch (error) {
    if (!isWechatError(error) && !(error instanceof ApiFailure)) throw error;
    logWarning(`mediaCheckAsync submission failed for avatar ${avatar.id}: ${describeError(error)}`);
    if (config.failClosed) {
      deleteAvatar($app, avatar.id);
      throw contentCheckUnavailable();
    }
    return recordMediaCheck(avatar.id, MEDIA_CHECK.failed, "");
  }
  recordMediaCheck(avatar.id, MEDIA_CHECK.checking, traceId);
}

// Two columns only: the upload may already be in a profile update's transaction.
function recordMediaCheck(avatarId: string, state: string, traceId: string): void {
  $app
    .db()
    .newQuery(`UPDATE ${AVATARS_COLLECTION} SET media_check = {:state}, trace_id = {:traceId} WHERE id = {:id}`)
    .bind({ state, traceId, id: avatarId })
    .execute();
}
