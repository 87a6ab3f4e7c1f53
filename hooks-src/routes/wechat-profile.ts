import { audit, userRequest } from "../audit/audit";
import { changedFieldNames } from "../audit/changed-fields";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { userInfoOf } from "../users/user-info";
import { updateProfile } from "../users/users";
import { readProfileRequest } from "../validation";
import { wechatClientFromEnvironment } from "../wechat/wechat";

// Everything is checked before getuserphonenumber, which WeChat bills per call.
export function profile(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      const user = requireWechatUser(e);
      const request = readProfileRequest(readJsonObjectBody(e));
      const phone = wechatClientFromEnvironment().getPhoneNumber(request.phoneCode);
      const updated = updateProfile(user.id, { users_name: request.name, users_phone: phone, users_picture: request.pictureUrl });
      audit("profile_updated", updated, userRequest(e), { fields: changedFieldNames(user, updated).join(",") });
      sendOk(e, "资料更新成功", { status: "update_success", user: userInfoOf(updated) });
    },
    "users_phone_code",
  );
}
