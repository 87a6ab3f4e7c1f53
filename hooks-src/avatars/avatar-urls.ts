// The public URL of a stored avatar, built on the instance's Application URL (Settings →
// Application → Application URL; behind the /pb proxy "https://<host>/pb"), so that it works
// in an <image src> through the proxy, without an Authorization header.
export const AVATARS_COLLECTION = "tbl_user_avatars";

export interface AvatarReference {
  recordId: string;
  filename: string;
}

const RECORD_ID = /^[a-z0-9]{15}$/;
const FILENAME = /^[A-Za-z0-9_-]+\.(jpg|png|webp|gif)$/;

export function applicationBaseUrl(appUrl: string): string {
  return appUrl.trim().replace(/\/+$/, "");
}

export function avatarUrlOf(appUrl: string, avatar: AvatarReference): string {
  return `${applicationBaseUrl(appUrl)}/api/files/${AVATARS_COLLECTION}/${avatar.recordId}/${avatar.filename}`;
}

// Anything under this instance's files path is claimed as ours: it must then be exactly an
// avatar URL as the upload answered it, or the profile refuses it. So no variant (a ?thumb=,
// another collection's file) can slip past the "mark it used" step and be swept later.
export function isUnderOurFiles(appUrl: string, url: string): boolean {
  return url.startsWith(`${applicationBaseUrl(appUrl)}/api/files/`);
}

export function parseAvatarUrl(appUrl: string, url: string): AvatarReference | null {
  const prefix = `${applicationBaseUrl(appUrl)}/api/files/${AVATARS_COLLECTION}/`;
  if (!url.startsWith(prefix)) return null;
  const parts = url.slice(prefix.length).split("/");
  if (parts.length !== 2 || !RECORD_ID.test(parts[0]) || !FILENAME.test(parts[1])) return null;
  return { recordId: parts[0], filename: parts[1] };
}
