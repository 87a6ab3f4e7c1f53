// Pure rules about a user's profile: no PocketBase access here.

export const USERS_TYPE_GUEST = "游客";
export const USERS_TYPE_REGISTERED = "注册用户";

export interface ProfileFields {
  users_name: string;
  users_phone: string;
  users_picture: string;
}

// Spelled out rather than looped over a list of names: refresh and login run this on every
// request, and in goja a callback costs several times the three comparisons.
export function isInfoComplete(profile: ProfileFields): boolean {
  return profile.users_name !== "" && profile.users_phone !== "" && profile.users_picture !== "";
}

function isInfoEmpty(profile: ProfileFields): boolean {
  return profile.users_name === "" && profile.users_phone === "" && profile.users_picture === "";
}

// A guest becomes a registered user only when this update takes the profile from
// all three fields empty to all three filled; no later update changes the type.
export function usersTypeAfterUpdate(currentType: string, before: ProfileFields, after: ProfileFields): string {
  if (currentType === USERS_TYPE_GUEST && isInfoEmpty(before) && isInfoComplete(after)) return USERS_TYPE_REGISTERED;
  return currentType;
}

// For partial edits (/api/wechat/profile/fields), which fill the profile one field at a time:
// a guest becomes a registered user by the update that first makes all three fields filled.
export function usersTypeAfterFieldsUpdate(currentType: string, before: ProfileFields, after: ProfileFields): string {
  if (currentType === USERS_TYPE_GUEST && !isInfoComplete(before) && isInfoComplete(after)) return USERS_TYPE_REGISTERED;
  return currentType;
}

// "13800138000" -> "138****8000"; shorter numbers keep at most a third at each end.
export function maskPhone(phone: string): string {
  if (phone === "") return "";
  if (phone.length >= 11) return phone.slice(0, 3) + "****" + phone.slice(-4);
  const kept = Math.floor(phone.length / 3);
  return phone.slice(0, kept) + "*".repeat(phone.length - 2 * kept) + phone.slice(phone.length - kept);
}
