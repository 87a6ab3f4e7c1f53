// The nickname's content check, before the billed phone call. What msgSecCheck says decides:
//   risky  → 400 on users_name, nothing written;
//   review → stored, flagged 昵称待复核 for staff;
//   pass   → stored, earlier nickname flags cleared;
//   WeChat failed or timed out → WECHAT_CONTENT_CHECK_FAILURE: open (stored, flagged
//   昵称未检测) or closed (503, nothing written). With the check off, flags stay as they are.
import { failure, failures, fieldProblem } from "../errors";
import { NICKNAME_FLAGS, USER_FLAGS } from "./user-flags";
import type { Suggest } from "./wechat-content-security";

export type NicknameVerdict = Suggest | "unavailable" | "off";

export interface FlagChange {
  add: string[];
  remove: readonly string[];
}

export const nicknameRisky = () => failures.invalidFields({ users_name: fieldProblem("content_risky") });
export const contentCheckUnavailable = () => failure(503, "content_check_unavailable");

export function nicknameFlagChange(verdict: NicknameVerdict, failClosed: boolean): FlagChange {
  switch (verdict) {
    case "risky":
      throw nicknameRisky();
    case "review":
      return { add: [USER_FLAGS.nicknameReview], remove: NICKNAME_FLAGS };
    case "pass":
      return { add: [], remove: NICKNAME_FLAGS };
    case "unavailable":
      if (failClosed) throw contentCheckUnavailable();
      return { add: [USER_FLAGS.nicknameUnchecked], remove: [USER_FLAGS.nicknameReview] };
    case "off":
      return { add: [], remove: [] };
  }
}
