import { avatarFailures } from "../avatars/avatar-errors";
import { readAvatarUpload } from "../avatars/avatar-upload";
import { storeAvatar } from "../avatars/avatars";
import { claimAvatarUpload, releaseAvatarUpload } from "../avatars/upload-limits";
import { submitAvatarForCheck } from "../content-security/content-checks";
import { requireCurrentConsents } from "../consents/consents";
import { requireWechatUser } from "../http/auth";
import { answer, sendOk } from "../http/responses";

// Stores the image and submits it to WeChat's image check; users_picture changes only when a
// profile update uses data.url.
export function uploadAvatar(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    requireCurrentConsents(user);
    const image = readAvatarUpload(e);
    if (!claimAvatarUpload(user.id)) throw avatarFailures.tooFrequent();
    let avatar;
    try {
      avatar = storeAvatar(user.id, image);
    } catch (error) {
      releaseAvatarUpload(user.id);
      throw error;
    }
    submitAvatarForCheck(avatar);
    sendOk(e, "头像上传成功", { url: avatar.url });
  });
}
