// What an uploaded avatar really is, from its first bytes. The file name and the part's
// declared Content-Type are the client's word; only these signatures decide.
export type AvatarImageType = "jpeg" | "png" | "webp" | "gif";

export const MIN_IMAGE_BYTES = 12;

// Each signature as byte values, null meaning "any byte here".
const SIGNATURES: ReadonlyArray<{ type: AvatarImageType; bytes: ReadonlyArray<number | null> }> = [
  { type: "jpeg", bytes: [0xff, 0xd8, 0xff] },
  { type: "png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // "GIF87a" / "GIF89a"
  { type: "gif", bytes: [0x47, 0x49, 0x46, 0x38, 0x37, 0x61] },
  { type: "gif", bytes: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61] },
  // "RIFF" <4-byte size> "WEBP"
  { type: "webp", bytes: [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50] },
];

export function detectImageType(head: ArrayLike<number>): AvatarImageType | null {
  if (head.length < MIN_IMAGE_BYTES) return null;
  for (const { type, bytes } of SIGNATURES) {
    if (bytes.every((byte, index) => byte === null || head[index] === byte)) return type;
  }
  return null;
}

export const FILE_EXTENSIONS: Record<AvatarImageType, string> = { jpeg: "jpg", png: "png", webp: "webp", gif: "gif" };
