// Which of a user's profile fields an update changed: their names only, never their values.
export const PROFILE_AUDIT_FIELDS = ["users_name", "users_phone", "users_picture", "users_type"] as const;

export type ProfileAuditFields = Record<(typeof PROFILE_AUDIT_FIELDS)[number], string>;

export function changedProfileFields(before: ProfileAuditFields, after: ProfileAuditFields): string[] {
  return PROFILE_AUDIT_FIELDS.filter((name) => before[name] !== after[name]);
}

export function changedFieldNames(before: core.Record, after: core.Record): string[] {
  const read = (user: core.Record) => Object.fromEntries(PROFILE_AUDIT_FIELDS.map((name) => [name, user.getString(name)])) as ProfileAuditFields;
  return changedProfileFields(read(before), read(after));
}
