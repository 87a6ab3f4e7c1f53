// How many pixels an uploaded image declares, read from its headers (image-structure.ts), and
// the bounds an avatar must fit. Bytes are no measure of pixels: a 48 KB PNG may declare
// 20000×20000, and PocketBase's thumbnailer decodes the whole image into memory (4 bytes a
// pixel, plus a copy to crop) the first time anyone asks for a ?thumb=.
//
// The bounds, from what `<button open-type="chooseAvatar">` hands the mini-program: on phones a
// 132×132 square (the WeChat avatar, or a photo cropped and compressed by WeChat; WeChat's own
// compressed photos have a long side of at most 1280), on PC WeChat the chosen file as it is.
// 2048 a side keeps every phone avatar and any WeChat-compressed photo, with room to spare, and
// bounds one thumbnail's decode to about 16 MB (2048² × 4 bytes) instead of the 1.9 GB measured
// for a 20000×20000 PNG. A PC user's larger original is refused with a message saying so.
// The aspect ratio is bounded too: the thumbnailer scales an image with a side under 100 px up
// to cover the thumb before it crops, so a 1×2048 strip would become a 300×614400 image
// (737 MB); at most 20:1, that intermediate stays under 300×6000 (7 MB).
import type { AvatarImageType } from "./image-type";
import { gifStructure, isFrameHeader, jpegSegments, pngChunks, riffChunks, riffEnd, u16be, u16le, u24le, u32be, u32le, WalkBudget, type RiffChunk } from "./image-structure";

export const MAX_AVATAR_SIDE_PIXELS = 2048;
export const MAX_AVATAR_ASPECT_RATIO = 20;

export interface ImageDimensions {
  width: number;
  height: number;
}

export function fitsAvatarBounds({ width, height }: ImageDimensions): boolean {
  const [short, long] = width < height ? [width, height] : [height, width];
  return short >= 1 && long <= MAX_AVATAR_SIDE_PIXELS && long <= short * MAX_AVATAR_ASPECT_RATIO;
}

// null when the header is truncated or garbled.
export function readImageDimensions(bytes: Uint8Array, type: AvatarImageType): ImageDimensions | null {
  switch (type) {
    case "png":
      return pngDimensions(bytes);
    case "jpeg":
      return jpegDimensions(bytes);
    case "webp":
      return webpDimensions(bytes);
    case "gif":
      return gifDimensions(bytes);
  }
}

const PNG_MAX_SIDE = 0x7fffffff;
const positive = (dimensions: ImageDimensions): ImageDimensions | null => (dimensions.width > 0 && dimensions.height > 0 ? dimensions : null);

// IHDR must come first and hold 13 bytes: width (4), height (4), then depth, colour type, etc.
function pngDimensions(bytes: Uint8Array): ImageDimensions | null {
  const header = pngChunks(bytes)?.[0];
  if (!header || header.type !== "IHDR" || header.dataEnd - header.dataStart !== 13) return null;
  const dimensions = { width: u32be(bytes, header.dataStart), height: u32be(bytes, header.dataStart + 4) };
  return dimensions.width <= PNG_MAX_SIDE && dimensions.height <= PNG_MAX_SIDE ? positive(dimensions) : null;
}

// One frame header (SOFn: precision (1), height (2), width (2), components...) before the first
// scan. A height of 0 leaves it to a DNL segment, which neither Go nor browsers support.
function jpegDimensions(bytes: Uint8Array): ImageDimensions | null {
  const segments = jpegSegments(bytes, { untilFirstScan: true });
  const frames = segments?.filter((segment) => isFrameHeader(segment.marker)) ?? [];
  if (frames.length !== 1) return null;
  const { payloadStart, end } = frames[0];
  if (end - payloadStart < 6) return null;
  return positive({ width: u16be(bytes, payloadStart + 3), height: u16be(bytes, payloadStart + 1) });
}

// A simple file is one VP8 or VP8L chunk; an extended one starts with VP8X (the canvas size,
// 24 bits each, minus one), whose image, or each animation frame (ANMF), must fit the canvas.
function webpDimensions(bytes: Uint8Array): ImageDimensions | null {
  const end = riffEnd(bytes);
  const budget = new WalkBudget();
  const chunks = end < 0 ? null : riffChunks(bytes, 12, end, budget);
  if (!chunks || chunks.length === 0) return null;
  const [first, ...rest] = chunks;
  if (first.fourcc !== "VP8X") return bitstreamDimensions(bytes, first);
  if (first.dataEnd - first.dataStart < 10) return null;
  const canvas = { width: u24le(bytes, first.dataStart + 4) + 1, height: u24le(bytes, first.dataStart + 7) + 1 };
  let images = 0;
  for (const chunk of rest) {
    let fits = true;
    if (chunk.fourcc === "VP8 " || chunk.fourcc === "VP8L") fits = sameSize(bitstreamDimensions(bytes, chunk), canvas);
    else if (chunk.fourcc === "ANMF") fits = animationFrameFits(bytes, chunk, canvas, budget);
    else continue;
    if (!fits) return null;
    images++;
  }
  return images > 0 ? canvas : null;
}

// ANMF: x/2 (3), y/2 (3), width - 1 (3), height - 1 (3), duration and flags (4), then the
// frame's own chunks, whose image has the frame's size.
function animationFrameFits(bytes: Uint8Array, frame: RiffChunk, canvas: ImageDimensions, budget: WalkBudget): boolean {
  const at = frame.dataStart;
  if (frame.dataEnd - at < 16) return false;
  const x = u24le(bytes, at) * 2;
  const y = u24le(bytes, at + 3) * 2;
  const size = { width: u24le(bytes, at + 6) + 1, height: u24le(bytes, at + 9) + 1 };
  if (x + size.width > canvas.width || y + size.height > canvas.height) return false;
  const image = riffChunks(bytes, at + 16, frame.dataEnd, budget)?.find((chunk) => chunk.fourcc === "VP8 " || chunk.fourcc === "VP8L");
  return image !== undefined && sameSize(bitstreamDimensions(bytes, image), size);
}

const sameSize = (a: ImageDimensions | null, b: ImageDimensions) => a !== null && a.width === b.width && a.height === b.height;

// VP8: a key frame's 3-byte tag (bit 0 clear), the start code 9D 01 2A, then width and height
// in 14 bits each (2 bits of scaling above). VP8L: the signature 0x2F, then width - 1 and
// height - 1 in 14 bits each.
function bitstreamDimensions(bytes: Uint8Array, chunk: RiffChunk): ImageDimensions | null {
  const at = chunk.dataStart;
  if (chunk.fourcc === "VP8 ") {
    if (chunk.dataEnd - at < 10 || (bytes[at] & 1) !== 0 || bytes[at + 3] !== 0x9d || bytes[at + 4] !== 0x01 || bytes[at + 5] !== 0x2a) return null;
    return positive({ width: u16le(bytes, at + 6) & 0x3fff, height: u16le(bytes, at + 8) & 0x3fff });
  }
  if (chunk.fourcc === "VP8L") {
    if (chunk.dataEnd - at < 5 || bytes[at] !== 0x2f) return null;
    const bits = u32le(bytes, at + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return null;
}

// The logical screen, grown to cover any frame that reaches past it: decoders allocate each
// frame at its own size. A file without a frame is no image.
function gifDimensions(bytes: Uint8Array): ImageDimensions | null {
  const gif = gifStructure(bytes);
  if (!gif) return null;
  const dimensions = { ...gif.screen };
  let frames = 0;
  for (const block of gif.blocks) {
    if (block.kind !== "image") continue;
    frames++;
    dimensions.width = Math.max(dimensions.width, block.left + block.width);
    dimensions.height = Math.max(dimensions.height, block.top + block.height);
  }
  return frames > 0 ? positive(dimensions) : null;
}
