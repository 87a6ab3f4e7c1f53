// The answer of every login route once WeChat has named the user: sign in through the one
// resolution (with the login's registration steps and consents, login-records.ts), reply with
// PocketBase's auth response and our meta, and audit what happened.
import { auditRequest } from "../audit/audit";
import { sendAuthResponse } from "../http/auth";
import type { SigningIn } from "../identities/resolution";
import { isInfoComplete } from "../users/user-profile";
import { userInfoOf } from "../users/user-info";
import type { LoginRecords } from "./login-records";
import { signIn } from "./sign-in";

export function signInAndAnswer(e: core.RequestEvent, signingIn: SigningIn, records: LoginRecords, { mayCancelDeletion = true } = {}): void {
  const { app } = signingIn;
  const { user, outcome, created, deletionCancelled, unionidHeldBy, phoneMismatch, replacedUser } = signIn(signingIn, {
    mayCancelDeletion,
    registration: records.registration,
  });
  const consentsRequired = records.afterSignIn(user, created);
  const info = userInfoOf(user);
  // A phone login (a number WeChat verified came with it) also says whether the stored number differs.
  const phoneAnswer = signingIn.phone === undefined ? {} : { phone_mismatch: phoneMismatch === true };
  sendAuthResponse(e, user, {
    code: 200,
    msg: created ? "注册成功" : deletionCancelled ? "登录成功,已撤销账号注销" : "登录成功",
    data: {
      status: created ? "register_success" : outcome === "found" ? "login_success" : outcome,
      is_info_complete: isInfoComplete(info),
      deletion_cancelled: deletionCancelled,
      ...phoneAnswer,
      consents_required: consentsRequired,
      user: info,
    },
  });
  const event = created ? "registration" : outcome === "claimed" ? "account_claimed" : outcome === "linked" ? "identity_linked" : "login";
  auditRequest(e, event, info, replacedUser ? { appid: app.appId, replaced_pb_id: replacedUser } : { appid: app.appId });
  if (deletionCancelled) auditRequest(e, "deletion_cancelled", info);
  if (unionidHeldBy) auditRequest(e, "unionid_conflict", info, { appid: app.appId, other_pb_id: unionidHeldBy });
}
