// Reads the image out of a wx.uploadFile request: multipart/form-data whose part "file" holds
// the bytes (wx.uploadFile's `name: "file"`; its formData fields come as other parts and are
// ignored). The part's file name and Content-Type are whatever the phone made up; only the
// content's signature decides what the file is, and its headers how many pixels it holds.
// What is stored is the image without its metadata (image-metadata.ts).
import { avatarFailures, MAX_AVATAR_BYTES } from "./avatar-errors";
import { fitsAvatarBounds, readImageDimensions } from "./image-dimensions";
import { stripImageMetadata } from "./image-metadata";
import { detectImageType, type AvatarImageType } from "./image-type";

export const AVATAR_FIELD = "file";
// The image plus multipart framing and wx.uploadFile's formData fields.
export const MAX_AVATAR_BODY_BYTES = MAX_AVATAR_BYTES + 64 * 1024;

export interface UploadedImage {
  bytes: Uint8Array;
  type: AvatarImageType;
}

export function readAvatarUpload(e: core.RequestEvent): UploadedImage {
  const contentType = e.request!.header.get("Content-Type").toLowerCase();
  if (!/^multipart\/form-data\s*;/.test(contentType)) throw avatarFailures.notMultipart();
  let files: Array<filesystem.File | undefined>;
  try {
    files = e.findUploadedFiles(AVATAR_FIELD);
  } catch (error) {
    if (isBodyTooLarge(error)) throw avatarFailures.tooLarge();
    if (/no such file/i.test(String(error))) throw avatarFailures.missingFile();
    throw avatarFailures.malformedMultipart();
  }
  if (files.length !== 1) throw avatarFailures.severalFiles();
  const file = files[0]!;
  if (file.size > MAX_AVATAR_BYTES) throw avatarFailures.tooLarge();
  if (file.size === 0) throw avatarFailures.emptyFile();
  const bytes = readFile(file);
  const type = detectImageType(bytes);
  if (!type) throw avatarFailures.notAnImage();
  const dimensions = readImageDimensions(bytes, type);
  if (!dimensions) throw avatarFailures.unreadableImage();
  if (!fitsAvatarBounds(dimensions)) throw avatarFailures.tooManyPixels();
  const pixelsOnly = stripImageMetadata(bytes, type);
  if (!pixelsOnly) throw avatarFailures.unreadableImage();
  return { bytes: pixelsOnly, type };
}

// Into a Uint8Array, which goja hands to Go's Read as the []byte itself: the file is copied
// natively, not byte by byte through JS (toBytes' Go slice costs ~0.1 µs per byte read from JS).
function readFile(file: filesystem.File): Uint8Array {
  const bytes = new Uint8Array(file.size);
  const reader = file.reader.open();
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const read = reader.read(bytes.subarray(filled) as unknown as number[]);
      if (read <= 0) break;
      filled += read;
    }
    if (filled !== bytes.length) throw avatarFailures.malformedMultipart();
  } finally {
    reader.close();
  }
  return bytes;
}

// apis.ErrRequestEntityTooLarge from $apis.bodyLimit's reader, surfacing through the parse.
function isBodyTooLarge(error: unknown): boolean {
  return (error as { value?: { status?: unknown } } | null)?.value?.status === 413 || /too large/i.test(String(error));
}
