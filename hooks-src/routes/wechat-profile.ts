import { auditRequest, subjectOf } from "../audit/audit";
import { changedFieldNames } from "../audit/changed-fields";
import { avatarForProfilePicture } from "../avatars/avatars";
import { requireCurrentConsents } from "../consents/consents";
import { checkNickname } from "../content-security/content-checks";
import { profileSaveSteps } from "../content-security/profile-save";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { userInfoOf } from "../users/user-info";
import { updateProfile } from "../users/users";
import { readProfileRequest } from "../validation";
import { wechatClientFromEnvironment } from "../wechat/wechat";

// Everything is checked before getuserphonenumber, which WeChat bills per call: the fields,
// the picture (ours must be this user's live avatar), then the nickname's content.
export function profile(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      const user = requireWechatUser(e);
      requireCurrentConsents(user);
      const request = readProfileRequest(readJsonObjectBody(e));
      avatarForProfilePicture($app, user.id, request.pictureUrl);
      const wechat = wechatClientFromEnvironment();
      const nicknameFlags = checkNickname(wechat, user, request.name);
      const phone = wechat.getPhoneNumber(request.phoneCode);
      const profile = { users_name: request.name, users_phone: phone, users_picture: request.pictureUrl };
      const updated = updateProfile(user.id, profile, profileSaveSteps(request.pictureUrl, nicknameFlags));
      auditRequest(e, "profile_updated", subjectOf(updated), { fields: changedFieldNames(user, updated).join(",") });
      sendOk(e, "资料更新成功", { status: "update_success", user: userInfoOf(updated) });
    },
    "users_phone_code",
  );
}
