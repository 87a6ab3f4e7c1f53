// What a stored avatar keeps of the uploaded file: its pixels and what a decoder needs to show
// them as they were meant, nothing about the person, the device, the place or the time. An
// avatar is public (its URL is handed to other users and to WeChat), and phones write GPS
// positions, camera models and dates into photos. Each format keeps an allow-list of blocks;
// everything else, and whatever follows the image's end, is dropped:
//
// - PNG: IHDR, PLTE, IDAT, IEND, tRNS; the colour chunks (gAMA, cHRM, sRGB, iCCP, sBIT, cICP,
//   mDCV, cLLI), without which a wide-gamut or HDR image shows wrong; APNG's acTL, fcTL, fdAT.
//   Dropped: tEXt, zTXt, iTXt, eXIf, tIME, pHYs, bKGD and any other ancillary chunk.
// - JPEG: every segment decoding reads (DQT, DHT, SOFn, DRI, SOS and its scan data...); APP0
//   JFIF without its thumbnail, APP2 ICC_PROFILE (colours, as in PNG), APP14 Adobe (tells how
//   to convert the colours). Dropped: APP1 Exif and XMP, every other APPn, COM, JFXX thumbnails,
//   and the MPF pictures (depth maps, previews) phones append after EOI. Only Exif's orientation
//   is kept, rewritten as an Exif block that holds it alone: browsers and PocketBase's
//   thumbnailer turn a sideways-stored photo upright by it.
// - WebP: VP8X (its EXIF and XMP flags cleared), ICCP, ANIM, ANMF, ALPH, VP8, VP8L. Dropped:
//   EXIF, XMP and unknown chunks.
// - GIF: header, colour tables, frames, graphic control and plain text extensions, and the
//   NETSCAPE2.0 (ANIMEXTS1.0) looping block. Dropped: comments and other application
//   extensions (XMP, ICC).
//
// A file with nothing to drop comes back as the very same array; otherwise the kept ranges are
// copied natively (Uint8Array.set). null when the file's structure cannot be walked to its end.
import type { AvatarImageType } from "./image-type";
import { asciiAt, gifStructure, JPEG, jpegSegments, pngChunks, riffChunks, riffEnd, u16be, u16le, u32be, u32le, type GifBlock, type JpegSegment } from "./image-structure";

export function stripImageMetadata(bytes: Uint8Array, type: AvatarImageType): Uint8Array | null {
  switch (type) {
    case "png":
      return strippedPng(bytes);
    case "jpeg":
      return strippedJpeg(bytes);
    case "webp":
      return strippedWebp(bytes);
    case "gif":
      return strippedGif(bytes);
  }
}

// The output as ranges of the input and a few bytes of our own, merged where contiguous.
class Assembly {
  private readonly parts: Array<Uint8Array | { start: number; end: number }> = [];
  constructor(private readonly source: Uint8Array) {}

  keep(start: number, end: number): void {
    const last = this.parts[this.parts.length - 1];
    if (last && !(last instanceof Uint8Array) && last.end === start) last.end = end;
    else this.parts.push({ start, end });
  }

  add(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }

  isSource(from = 0): boolean {
    const only = this.parts[0];
    return this.parts.length === 1 && !(only instanceof Uint8Array) && only.start === from && only.end === this.source.length;
  }

  get length(): number {
    return this.parts.reduce((sum, part) => sum + (part instanceof Uint8Array ? part.length : part.end - part.start), 0);
  }

  bytes(prefix?: Uint8Array): Uint8Array {
    if (!prefix && this.isSource()) return this.source;
    const output = new Uint8Array((prefix?.length ?? 0) + this.length);
    let offset = 0;
    for (const part of prefix ? [prefix, ...this.parts] : this.parts) {
      const piece = part instanceof Uint8Array ? part : this.source.subarray(part.start, part.end);
      output.set(piece, offset);
      offset += piece.length;
    }
    return output;
  }
}

// PNG

const PNG_KEPT_CHUNKS = new Set(["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "cICP", "mDCV", "cLLI", "acTL", "fcTL", "fdAT"]);
// An upper-case first letter marks a critical chunk: a decoder that does not know it must give up.
const isCriticalChunk = (type: string) => type.charCodeAt(0) < 0x61;

function strippedPng(bytes: Uint8Array): Uint8Array | null {
  const chunks = pngChunks(bytes);
  if (!chunks) return null;
  const output = new Assembly(bytes);
  output.keep(0, 8);
  for (const chunk of chunks) {
    if (PNG_KEPT_CHUNKS.has(chunk.type)) output.keep(chunk.start, chunk.end);
    else if (isCriticalChunk(chunk.type)) return null;
  }
  return output.bytes();
}

// JPEG

function strippedJpeg(bytes: Uint8Array): Uint8Array | null {
  const segments = jpegSegments(bytes);
  if (!segments) return null;
  const output = new Assembly(bytes);
  output.keep(0, 2);
  let orientationKept = false;
  for (const segment of segments) {
    const { marker } = segment;
    if (marker === JPEG.APP0) {
      const jfif = jfifWithoutThumbnail(bytes, segment);
      if (jfif === segment) output.keep(segment.start, segment.end);
      else if (jfif instanceof Uint8Array) output.add(jfif);
    } else if (marker === JPEG.APP1) {
      const orientation: number = orientationKept ? 1 : exifOrientation(bytes, segment);
      if (orientation !== 1) output.add(orientationOnlyExif(orientation));
      orientationKept ||= orientation !== 1;
    } else if (isAppSegment(marker) || marker === JPEG.COM) {
      if (keepsAppSegment(bytes, segment)) output.keep(segment.start, segment.end);
    } else {
      output.keep(segment.start, segment.end);
    }
  }
  return output.bytes();
}

const isAppSegment = (marker: number) => marker >= 0xe0 && marker <= 0xef;

function keepsAppSegment(bytes: Uint8Array, { marker, payloadStart }: JpegSegment): boolean {
  if (marker === JPEG.APP2) return asciiAt(bytes, payloadStart, 12) === "ICC_PROFILE\0";
  if (marker === JPEG.APP14) return asciiAt(bytes, payloadStart, 5) === "Adobe";
  return false;
}

// JFIF's APP0: "JFIF\0", version (2), units (1), densities (2 + 2), thumbnail width and height
// (1 + 1), then the thumbnail's RGB pixels. The segment itself when it has no thumbnail, a copy
// without one when it has, null when it is no JFIF header (JFXX's thumbnails, anything else).
function jfifWithoutThumbnail(bytes: Uint8Array, segment: JpegSegment): JpegSegment | Uint8Array | null {
  const { payloadStart, end } = segment;
  if (asciiAt(bytes, payloadStart, 5) !== "JFIF\0" || end - payloadStart < 14) return null;
  if (end - payloadStart === 14 && bytes[payloadStart + 12] === 0 && bytes[payloadStart + 13] === 0) return segment;
  const header = new Uint8Array(18);
  header.set([0xff, JPEG.APP0, 0, 16]);
  header.set(bytes.subarray(payloadStart, payloadStart + 12), 4);
  return header;
}

const EXIF_ORIENTATION_TAG = 0x0112;
const EXIF_SHORT = 3;

// Exif's APP1: "Exif\0\0", then a TIFF structure: byte order ("II" little-endian, "MM" big),
// 42, the offset of IFD0, whose 12-byte entries (tag, type, count, value) may hold Orientation
// (1..8, 1 meaning "as stored"). 1 for anything unreadable or for another APP1 (XMP).
function exifOrientation(bytes: Uint8Array, { payloadStart, end }: JpegSegment): number {
  if (asciiAt(bytes, payloadStart, 6) !== "Exif\0\0") return 1;
  const tiff = payloadStart + 6;
  const order = asciiAt(bytes, tiff, 2);
  if (order !== "II" && order !== "MM") return 1;
  const u16 = (at: number) => (at + 2 > end ? -1 : order === "II" ? u16le(bytes, at) : u16be(bytes, at));
  const u32 = (at: number) => (at + 4 > end ? -1 : order === "II" ? u32le(bytes, at) : u32be(bytes, at));
  const ifd0Offset = u32(tiff + 4);
  if (u16(tiff + 2) !== 42 || ifd0Offset < 8) return 1;
  const ifd0 = tiff + ifd0Offset;
  const entries = u16(ifd0);
  for (let index = 0; index < entries; index++) {
    const entry = ifd0 + 2 + index * 12;
    if (entry + 12 > end) return 1;
    if (u16(entry) === EXIF_ORIENTATION_TAG && u16(entry + 2) === EXIF_SHORT) {
      const orientation = u16(entry + 8);
      return orientation >= 1 && orientation <= 8 ? orientation : 1;
    }
  }
  return 1;
}

// An APP1 Exif block holding Orientation alone: big-endian TIFF, IFD0 at 8 with one entry
// (tag 0x0112, SHORT, count 1, the value left-aligned in its 4 bytes), no next IFD.
function orientationOnlyExif(orientation: number): Uint8Array {
  return Uint8Array.from([
    0xff, JPEG.APP1, 0, 34,
    0x45, 0x78, 0x69, 0x66, 0, 0, // "Exif\0\0"
    0x4d, 0x4d, 0, 42, 0, 0, 0, 8, // "MM", 42, IFD0 at 8
    0, 1, 0x01, 0x12, 0, EXIF_SHORT, 0, 0, 0, 1, 0, orientation, 0, 0,
    0, 0, 0, 0,
  ]);
}

// WebP

const WEBP_KEPT_CHUNKS = new Set(["VP8X", "ICCP", "ANIM", "ANMF", "ALPH", "VP8 ", "VP8L"]);
const VP8X_METADATA_FLAGS = 0x08 | 0x04; // EXIF, XMP

function strippedWebp(bytes: Uint8Array): Uint8Array | null {
  const end = riffEnd(bytes);
  const chunks = end < 0 ? null : riffChunks(bytes, 12, end);
  if (!chunks) return null;
  const body = new Assembly(bytes);
  for (const chunk of chunks) {
    if (!WEBP_KEPT_CHUNKS.has(chunk.fourcc)) continue;
    if (chunk.fourcc === "VP8X" && (bytes[chunk.dataStart] & VP8X_METADATA_FLAGS) !== 0) {
      const cleared = bytes.slice(chunk.start, chunk.end);
      cleared[8] &= ~VP8X_METADATA_FLAGS;
      body.add(cleared);
    } else {
      body.keep(chunk.start, chunk.end);
    }
  }
  if (body.isSource(12)) return bytes;
  const header = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]); // "RIFF" <size> "WEBP"
  const size = 4 + body.length;
  header.set([size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24], 4);
  return body.bytes(header);
}

// GIF

const GIF_GRAPHIC_CONTROL = 0xf9;
const GIF_PLAIN_TEXT = 0x01;
const GIF_APPLICATION = 0xff;
const GIF_LOOPING_BLOCKS = new Set(["NETSCAPE2.0", "ANIMEXTS1.0"]);

function keepsGifBlock(block: GifBlock): boolean {
  if (block.kind === "image") return true;
  if (block.label === GIF_GRAPHIC_CONTROL || block.label === GIF_PLAIN_TEXT) return true;
  return block.label === GIF_APPLICATION && GIF_LOOPING_BLOCKS.has(block.identifier);
}

function strippedGif(bytes: Uint8Array): Uint8Array | null {
  const gif = gifStructure(bytes);
  if (!gif) return null;
  const output = new Assembly(bytes);
  output.keep(0, gif.headerEnd);
  for (const block of gif.blocks) if (keepsGifBlock(block)) output.keep(block.start, block.end);
  output.keep(gif.trailer, gif.trailer + 1);
  return output.bytes();
}
