import { auditRequest, subjectOf } from "../audit/audit";
import { changedFieldNames } from "../audit/changed-fields";
import { avatarForProfilePicture } from "../avatars/avatars";
import { checkNickname } from "../content-security/content-checks";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { profileFieldsSaveSteps, updateProfileFields } from "../users/profile-fields";
import { userInfoOf } from "../users/user-info";
import { readProfileFieldsRequest } from "../validation";
import { wechatClientFromEnvironment } from "../wechat/wechat";

// /api/wechat/profile's checks, in its order, for the fields sent only: so the billed
// getuserphonenumber is called only when users_phone_code is sent, and only after the rest passed.
export function profileFields(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      const user = requireWechatUser(e);
      const request = readProfileFieldsRequest(readJsonObjectBody(e));
      if (request.pictureUrl !== undefined) avatarForProfilePicture($app, user.id, request.pictureUrl);
      const nicknameFlags = request.name === undefined ? undefined : checkNickname(wechatClientFromEnvironment(), user, request.name);
      const phone = request.phoneCode === undefined ? undefined : wechatClientFromEnvironment().getPhoneNumber(request.phoneCode);
      const changes = { users_name: request.name, users_phone: phone, users_picture: request.pictureUrl };
      const updated = updateProfileFields(user.id, changes, profileFieldsSaveSteps(request.pictureUrl, nicknameFlags));
      auditRequest(e, "profile_updated", subjectOf(updated), { fields: changedFieldNames(user, updated).join(",") });
      sendOk(e, "资料更新成功", { status: "update_success", user: userInfoOf(updated) });
    },
    "users_phone_code",
  );
}
