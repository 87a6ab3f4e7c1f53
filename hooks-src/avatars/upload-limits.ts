// Per-user upload limits. PocketBase's rate limiter counts per client IP, and a carrier NAT
// puts thousands of phones behind one address, so the per-user count lives here: one
// counter per user and clock hour in $app.store(), claimed under the store's lock.
import { appStore } from "../app-store";
export const AVATAR_UPLOADS_PER_USER_PER_HOUR = 20;
const HOUR_MS = 60 * 60 * 1000;
const KEY_PREFIX = "bai.avatarUploads.";

export function claimAvatarUpload(userId: string, store: store.Store<string, any> = appStore(), now = Date.now()): boolean {
  let claimed = false;
  store.setFunc(`${KEY_PREFIX}${Math.floor(now / HOUR_MS)}.${userId}`, (count: number | null | undefined) => {
    const used = typeof count === "number" ? count : 0;
    if (used >= AVATAR_UPLOADS_PER_USER_PER_HOUR) return used;
    claimed = true;
    return used + 1;
  });
  return claimed;
}

// Gives a claim back when the upload it was for stored nothing.
export function releaseAvatarUpload(userId: string, store: store.Store<string, any> = appStore(), now = Date.now()): void {
  store.setFunc(`${KEY_PREFIX}${Math.floor(now / HOUR_MS)}.${userId}`, (count: number | null | undefined) =>
    typeof count === "number" && count > 0 ? count - 1 : 0,
  );
}

export function sweepAvatarUploadCounters(store: store.Store<string, any> = appStore(), now = Date.now()): void {
  const currentHour = Math.floor(now / HOUR_MS);
  for (const key of store.keys()) {
    if (key.startsWith(KEY_PREFIX) && Number(key.slice(KEY_PREFIX.length).split(".")[0]) < currentHour) store.remove(key);
  }
}
