// users_id: "U" + the registration date in Asia/Shanghai (YYYYMMDD) + the day's sequence,
// at least four digits. Pure rules; the day's counter lives in the database (users.ts).

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000; // China has no daylight saving time

// "U" + the Asia/Shanghai date as YYYYMMDD, e.g. "U20260319".
export function usersIdPrefix(now: Date): string {
  return "U" + new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, "");
}

// "U20260319", 42 -> "U202603190042". Past 9999 the sequence grows a fifth digit.
export function usersIdOf(prefix: string, sequence: number): string {
  return prefix + String(sequence).padStart(4, "0");
}

// The day's next users_id after lastSequence that nobody holds yet. Staff may type any
// users_id the field's pattern allows, so a value they already gave out is skipped.
export function nextFreeUsersId(prefix: string, lastSequence: number, isTaken: (usersId: string) => boolean): { usersId: string; sequence: number } {
  let sequence = lastSequence + 1;
  while (isTaken(usersIdOf(prefix, sequence))) sequence++;
  return { usersId: usersIdOf(prefix, sequence), sequence };
}
