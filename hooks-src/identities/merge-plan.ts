// Pure rules of a staff merge of user B ("from") into user A ("into"): A keeps what it has and
// gains what it lacks from B. Two different phone numbers or unionids are a conflict that only
// staff can settle, by naming the side that wins.
export const MERGED_FIELDS = ["users_name", "users_phone", "users_picture", "users_avatar", "company_id", "openid", "unionid"] as const;
export const FIELDS_NEEDING_A_WINNER = ["users_phone", "unionid"] as const;
export type MergedField = (typeof MERGED_FIELDS)[number];
export type Side = "into" | "from";
export type Winners = Partial<Record<(typeof FIELDS_NEEDING_A_WINNER)[number], Side>>;

export interface MergePlan {
  // A's fields after the merge that differ from A's today.
  changes: Partial<Record<MergedField, string>>;
  // Fields that differ on both sides with no winner named.
  conflicts: Array<(typeof FIELDS_NEEDING_A_WINNER)[number]>;
}

export function planMerge(into: Record<MergedField, string>, from: Record<MergedField, string>, winners: Winners = {}): MergePlan {
  const changes: MergePlan["changes"] = {};
  const conflicts: MergePlan["conflicts"] = [];
  for (const field of MERGED_FIELDS) {
    const mine = into[field];
    const theirs = from[field];
    if (theirs === "" || mine === theirs) continue;
    if (mine === "") {
      changes[field] = theirs;
      continue;
    }
    const winner = (FIELDS_NEEDING_A_WINNER as readonly string[]).includes(field) ? winners[field as keyof Winners] : "into";
    if (winner === undefined) conflicts.push(field as (typeof FIELDS_NEEDING_A_WINNER)[number]);
    else if (winner === "from") changes[field] = theirs;
  }
  return { changes, conflicts };
}
