// users_flags: what content security asks staff to look at. Staff clear a flag once handled.
export const USER_FLAGS = {
  nicknameReview: "昵称待复核",
  nicknameUnchecked: "昵称未检测",
  avatarReview: "头像待复核",
  avatarRisky: "头像违规",
} as const;

export const NICKNAME_FLAGS: readonly string[] = [USER_FLAGS.nicknameReview, USER_FLAGS.nicknameUnchecked];

export const USERS_FLAGS_FIELD = "users_flags";

export function flagsWith(flags: readonly string[], added: readonly string[], removed: readonly string[] = []): string[] {
  return [...new Set([...flags.filter((flag) => !removed.includes(flag)), ...added])];
}
