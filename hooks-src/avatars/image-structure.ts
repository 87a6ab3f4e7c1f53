// The block structure of the four image formats, walked without decoding a pixel: PNG chunks,
// JPEG segments (and where each scan's entropy-coded data ends), WebP's RIFF chunks, GIF blocks.
// image-dimensions.ts reads sizes off it and image-metadata.ts decides what to keep. A walker
// answers null for a file whose structure is truncated or garbled.
//
// A walk stops, and the file reads as garbled, past MAX_WALK_BLOCKS blocks (chunks, segments,
// GIF blocks, nested ones included) or MAX_WALK_BYTE_STEPS byte-level steps (JPEG fill bytes and
// 0xFF bytes in scan data, GIF data sub-blocks). goja spends microseconds on each, so without
// these a crafted file of 2 MB of empty chunks costs seconds of CPU; real images stay far below
// (a 2 MB photo: a dozen segments and ~8000 0xFF bytes in its scan; a 2 MB GIF: ~8000 sub-blocks).
export const MAX_WALK_BLOCKS = 2048;
export const MAX_WALK_BYTE_STEPS = 32_768;

export class WalkBudget {
  blocks = MAX_WALK_BLOCKS;
  byteSteps = MAX_WALK_BYTE_STEPS;
}

// Readers return -1 (or "") past the end, so that a truncated file reads as garbled, not as zeros.
export function u16be(bytes: Uint8Array, at: number): number {
  return at + 2 <= bytes.length ? (bytes[at] << 8) | bytes[at + 1] : -1;
}

export function u32be(bytes: Uint8Array, at: number): number {
  return at + 4 <= bytes.length ? bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) : -1;
}

export function u16le(bytes: Uint8Array, at: number): number {
  return at + 2 <= bytes.length ? bytes[at] | (bytes[at + 1] << 8) : -1;
}

export function u24le(bytes: Uint8Array, at: number): number {
  return at + 3 <= bytes.length ? bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) : -1;
}

export function u32le(bytes: Uint8Array, at: number): number {
  return at + 4 <= bytes.length ? u24le(bytes, at) + bytes[at + 3] * 0x1000000 : -1;
}

export function asciiAt(bytes: Uint8Array, at: number, length: number): string {
  if (at + length > bytes.length) return "";
  let text = "";
  for (let i = at; i < at + length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

// PNG: after the 8-byte signature, chunks of length (4), type (4), data, CRC (4), up to IEND.

export interface PngChunk {
  type: string;
  start: number;
  dataStart: number;
  dataEnd: number;
  end: number;
}

const isLetter = (byte: number) => (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);

export function pngChunks(bytes: Uint8Array): PngChunk[] | null {
  const budget = new WalkBudget();
  const chunks: PngChunk[] = [];
  for (let at = 8; ; ) {
    const length = u32be(bytes, at);
    if (--budget.blocks < 0 || length < 0 || length > 0x7fffffff || at + 12 + length > bytes.length) return null;
    if (!(isLetter(bytes[at + 4]) && isLetter(bytes[at + 5]) && isLetter(bytes[at + 6]) && isLetter(bytes[at + 7]))) return null;
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    chunks.push({ type, start: at, dataStart: at + 8, dataEnd: at + 8 + length, end: at + 12 + length });
    at += 12 + length;
    if (type === "IEND") return chunks;
  }
}

// JPEG: after SOI, markers (0xFF, any number of 0xFF fill bytes, the marker byte); all but
// the standalone ones (RSTn, TEM) carry a 2-byte length that counts itself. After SOS comes
// entropy-coded data, listed here as a SCAN_DATA segment, up to the next marker that is not a
// stuffed 0xFF00 or a restart marker. The walk ends at EOI.

export const SCAN_DATA = -1;
export const JPEG = { SOI: 0xd8, EOI: 0xd9, SOS: 0xda, DHT: 0xc4, JPG: 0xc8, DAC: 0xcc, APP0: 0xe0, APP1: 0xe1, APP2: 0xe2, APP14: 0xee, COM: 0xfe };

export interface JpegSegment {
  marker: number;
  // From the first fill byte, so that dropping a segment drops its fill bytes too.
  start: number;
  payloadStart: number;
  end: number;
}

const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

// SOF0..SOF15 but not DHT, JPG and DAC, which share the 0xC_ range.
export const isFrameHeader = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== JPEG.DHT && marker !== JPEG.JPG && marker !== JPEG.DAC;

// `untilFirstScan` stops after the first SOS header, for a reader that needs no more.
export function jpegSegments(bytes: Uint8Array, { untilFirstScan = false } = {}): JpegSegment[] | null {
  if (bytes[0] !== 0xff || bytes[1] !== JPEG.SOI) return null;
  const segments: JpegSegment[] = [];
  let blocks = MAX_WALK_BLOCKS;
  let byteSteps = MAX_WALK_BYTE_STEPS;
  let at = 2;
  for (;;) {
    const start = at;
    if (--blocks < 0 || bytes[at] !== 0xff) return null;
    while (bytes[at] === 0xff) {
      if (--byteSteps < 0) return null;
      at++;
    }
    if (at >= bytes.length) return null;
    const marker = bytes[at++];
    if (marker === JPEG.EOI) {
      segments.push({ marker, start, payloadStart: at, end: at });
      return segments;
    }
    if (marker === JPEG.SOI || marker === 0x00) return null;
    if (isStandalone(marker)) {
      segments.push({ marker, start, payloadStart: at, end: at });
      continue;
    }
    const length = u16be(bytes, at);
    if (length < 2 || at + length > bytes.length) return null;
    segments.push({ marker, start, payloadStart: at + 2, end: at + length });
    at += length;
    if (marker !== JPEG.SOS) continue;
    if (untilFirstScan) return segments;
    // The scan's entropy-coded data: a 0xFF in it is followed by 0x00 (a stuffed byte), a
    // restart marker, or more 0xFF fill; any other byte after it starts the next marker.
    const scanStart = at;
    for (;;) {
      at = bytes.indexOf(0xff, at);
      if (--byteSteps < 0 || at < 0 || at + 1 >= bytes.length) return null;
      const next = bytes[at + 1];
      if (next === 0xff) at += 1;
      else if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
      else break;
    }
    segments.push({ marker: SCAN_DATA, start: scanStart, payloadStart: scanStart, end: at });
  }
}

// WebP: "RIFF" <size> "WEBP", then chunks of FourCC (4), size (4, little-endian), data, and a
// pad byte after an odd size. Bytes past the RIFF size are no part of the image.

export interface RiffChunk {
  fourcc: string;
  start: number;
  dataStart: number;
  dataEnd: number;
  end: number;
}

// The end of the RIFF body, or -1 when the header is wrong or its size runs past the file.
export function riffEnd(bytes: Uint8Array): number {
  const size = u32le(bytes, 4);
  if (asciiAt(bytes, 0, 4) !== "RIFF" || asciiAt(bytes, 8, 4) !== "WEBP" || size < 4 || 8 + size > bytes.length) return -1;
  return 8 + size;
}

// `budget` may be shared with the walks of nested chunks (ANMF frames hold chunks of their own).
export function riffChunks(bytes: Uint8Array, from: number, end: number, budget = new WalkBudget()): RiffChunk[] | null {
  const chunks: RiffChunk[] = [];
  for (let at = from; at < end; ) {
    const size = u32le(bytes, at + 4);
    if (--budget.blocks < 0 || at + 8 > end || size < 0 || at + 8 + size > end) return null;
    const chunkEnd = Math.min(at + 8 + size + (size % 2), end);
    chunks.push({ fourcc: String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]), start: at, dataStart: at + 8, dataEnd: at + 8 + size, end: chunkEnd });
    at = chunkEnd;
  }
  return chunks;
}

// GIF: header (6), logical screen descriptor (7), global colour table; then extensions (0x21,
// a label, data sub-blocks), images (0x2C, a 9-byte descriptor, a local colour table, the LZW
// code size, data sub-blocks), and the trailer (0x3B). A sub-block is a length byte and that
// many bytes; a zero length ends them.

export type GifBlock =
  | { kind: "extension"; label: number; identifier: string; start: number; end: number }
  | { kind: "image"; left: number; top: number; width: number; height: number; start: number; end: number };

export interface GifStructure {
  screen: { width: number; height: number };
  headerEnd: number;
  blocks: GifBlock[];
  trailer: number;
}

const colourTableBytes = (flags: number) => (flags & 0x80 ? 3 * (2 << (flags & 0x07)) : 0);

export function gifStructure(bytes: Uint8Array): GifStructure | null {
  if (bytes.length < 13) return null;
  const budget = new WalkBudget();
  const screen = { width: u16le(bytes, 6), height: u16le(bytes, 8) };
  const headerEnd = 13 + colourTableBytes(bytes[10]);
  const blocks: GifBlock[] = [];
  for (let at = headerEnd; ; ) {
    if (--budget.blocks < 0 || at >= bytes.length) return null;
    const introducer = bytes[at];
    if (introducer === 0x3b) return { screen, headerEnd, blocks, trailer: at };
    if (introducer === 0x21) {
      const label = bytes[at + 1];
      const identifier = label === 0xff && bytes[at + 2] === 11 ? asciiAt(bytes, at + 3, 11) : "";
      const end = skipSubBlocks(bytes, at + 2, budget);
      if (label === undefined || end < 0) return null;
      blocks.push({ kind: "extension", label, identifier, start: at, end });
      at = end;
    } else if (introducer === 0x2c) {
      if (at + 10 > bytes.length) return null;
      const end = skipSubBlocks(bytes, at + 10 + colourTableBytes(bytes[at + 9]) + 1, budget);
      if (end < 0) return null;
      blocks.push({ kind: "image", left: u16le(bytes, at + 1), top: u16le(bytes, at + 3), width: u16le(bytes, at + 5), height: u16le(bytes, at + 7), start: at, end });
      at = end;
    } else {
      return null;
    }
  }
}

// The offset just past the terminating zero-length sub-block, or -1 when they run past the end.
function skipSubBlocks(bytes: Uint8Array, from: number, budget: WalkBudget): number {
  for (let at = from; ; ) {
    if (--budget.byteSteps < 0 || at >= bytes.length) return -1;
    const size = bytes[at];
    at += 1 + size;
    if (size === 0) return at;
  }
}
