// Small images of each type, built byte by byte, for the tests of the image modules and of
// the upload route: what a header declares and what metadata the file carries are chosen
// here; the pixel data is a stand-in nobody decodes.
export type Bytes = Uint8Array;

export const ascii = (text: string): Bytes => Uint8Array.from([...text].map((character) => character.charCodeAt(0)));

export function concat(...parts: ArrayLike<number>[]): Bytes {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

const u16be = (value: number) => [(value >>> 8) & 0xff, value & 0xff];
const u32be = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const u16le = (value: number) => [value & 0xff, (value >>> 8) & 0xff];
const u24le = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff];
const u32le = (value: number) => [...u24le(value), (value >>> 24) & 0xff];

let crcTable: number[] | undefined;
function crc32(bytes: Bytes): number {
  crcTable ??= Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// PNG

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngChunk(type: string, data: ArrayLike<number> = []): Bytes {
  const body = concat(ascii(type), data);
  return concat(u32be(data.length), body, u32be(crc32(body)));
}

export const pngHeader = (width: number, height: number) => pngChunk("IHDR", [...u32be(width), ...u32be(height), 8, 2, 0, 0, 0]);

// Signature, IHDR, `before` (chunks between IHDR and the image data), IDAT, `after`, IEND.
export function pngSample(width: number, height: number, { before = [] as Bytes[], after = [] as Bytes[] } = {}): Bytes {
  return concat(PNG_SIGNATURE, pngHeader(width, height), ...before, pngChunk("IDAT", [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), ...after, pngChunk("IEND"));
}

// JPEG

export const jpegSegment = (marker: number, payload: ArrayLike<number> = []): Bytes => concat([0xff, marker, ...u16be(payload.length + 2)], payload);

export const jfifSegment = (thumbnail: { width: number; height: number } = { width: 0, height: 0 }) =>
  jpegSegment(0xe0, [...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, thumbnail.width, thumbnail.height, ...new Array(thumbnail.width * thumbnail.height * 3).fill(0x80)]);

export const adobeSegment = () => jpegSegment(0xee, [...ascii("Adobe"), 0, 100, 0, 0, 0, 0, 1]);

export const iccSegment = () => jpegSegment(0xe2, [...ascii("ICC_PROFILE\0"), 1, 1, ...ascii("a colour profile")]);

export const commentSegment = (text: string) => jpegSegment(0xfe, ascii(text));

// An Exif APP1 segment (big- or little-endian TIFF) with, as a phone writes them, the camera's
// make, the orientation, and a GPS IFD holding a latitude.
export function exifSegment({ orientation = 1, littleEndian = false, gps = true } = {}): Bytes {
  const u16 = littleEndian ? u16le : u16be;
  const u32 = littleEndian ? u32le : u32be;
  const make = ascii("PhoneMaker Model 7\0");
  const entries = gps ? 3 : 2;
  const ifd0Size = 2 + entries * 12 + 4;
  const makeOffset = 8 + ifd0Size;
  const gpsOffset = makeOffset + make.length;
  const gpsIfdSize = 2 + 2 * 12 + 4;
  const latitudeOffset = gpsOffset + gpsIfdSize;
  const ifd0 = [
    ...u16(entries),
    ...u16(0x010f), ...u16(2), ...u32(make.length), ...u32(makeOffset),
    ...u16(0x0112), ...u16(3), ...u32(1), ...u16(orientation), 0, 0,
    ...(gps ? [...u16(0x8825), ...u16(4), ...u32(1), ...u32(gpsOffset)] : []),
    ...u32(0),
  ];
  const gpsIfd = gps
    ? [...u16(2), ...u16(0x0001), ...u16(2), ...u32(2), 0x4e, 0, 0, 0, ...u16(0x0002), ...u16(5), ...u32(3), ...u32(latitudeOffset), ...u32(0)]
    : [];
  const latitude = gps ? [...u32(31), ...u32(1), ...u32(14), ...u32(1), ...u32(2411), ...u32(100)] : [];
  const tiff = concat(ascii(littleEndian ? "II" : "MM"), u16(42), u32(8), ifd0, make, gpsIfd, latitude);
  return jpegSegment(0xe1, concat(ascii("Exif\0\0"), tiff));
}

export const xmpSegment = () => jpegSegment(0xe1, concat(ascii("http://ns.adobe.com/xap/1.0/\0"), ascii('<x:xmpmeta><exif:GPSLatitude>31,14.11N</exif:GPSLatitude></x:xmpmeta>')));

export const sofSegment = (width: number, height: number, marker = 0xc0) => jpegSegment(marker, [8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]);

// The entropy-coded data of a scan, with a stuffed 0xFF 0x00 and a restart marker in it.
export const SCAN_DATA = [0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0x9a];

// SOI, `before` (segments ahead of the frame), DQT, SOF, DHT, SOS and its scan, `between`
// (segments after the first scan), a second SOS and scan, EOI.
export function jpegSample(width: number, height: number, { before = [] as Bytes[], between = [] as Bytes[], sofMarker = 0xc0 } = {}): Bytes {
  const dqt = jpegSegment(0xdb, [0, ...new Array(64).fill(1)]);
  const dht = jpegSegment(0xc4, [0, ...new Array(16).fill(0).map((_, index) => (index === 0 ? 1 : 0)), 0]);
  const sos = jpegSegment(0xda, [1, 1, 0, 0, 63, 0]);
  return concat([0xff, 0xd8], ...before, dqt, sofSegment(width, height, sofMarker), dht, sos, SCAN_DATA, ...between, sos, SCAN_DATA, [0xff, 0xd9]);
}

// WebP

export function riffChunk(fourcc: string, data: ArrayLike<number>): Bytes {
  return concat(ascii(fourcc), u32le(data.length), data, data.length % 2 === 1 ? [0] : []);
}

export const webpFile = (...chunks: Bytes[]): Bytes => {
  const body = concat(ascii("WEBP"), ...chunks);
  return concat(ascii("RIFF"), u32le(body.length), body);
};

// A key frame's header (frame tag, start code, 14-bit sizes) and a little stand-in data.
export const vp8Chunk = (width: number, height: number) => riffChunk("VP8 ", [0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...u16le(width), ...u16le(height), 1, 2, 3]);

// The 0x2F signature, then 14 bits of width - 1 and 14 of height - 1.
export function vp8lChunk(width: number, height: number): Bytes {
  const bits = (width - 1) | ((height - 1) << 14);
  return riffChunk("VP8L", [0x2f, ...u32le(bits >>> 0), 7, 8]);
}

export const WEBP_FLAGS = { icc: 0x20, alpha: 0x10, exif: 0x08, xmp: 0x04, animation: 0x02 };

export const vp8xChunk = (width: number, height: number, flags = 0) => riffChunk("VP8X", [flags, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]);

export const anmfChunk = (frame: { x: number; y: number; width: number; height: number }, image: Bytes) =>
  riffChunk("ANMF", concat(u24le(frame.x / 2), u24le(frame.y / 2), u24le(frame.width - 1), u24le(frame.height - 1), [0x64, 0, 0, 0], image));

// GIF

export interface GifFrame {
  left?: number;
  top?: number;
  width: number;
  height: number;
}

export const gifComment = (text: string) => concat([0x21, 0xfe], subBlocks(ascii(text)));
export const gifApplication = (identifier: string, data: ArrayLike<number>) => concat([0x21, 0xff, 11], ascii(identifier), subBlocks(data));
export const gifLooping = () => gifApplication("NETSCAPE2.0", [1, 0, 0]);
export const gifGraphicControl = () => Uint8Array.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);

function subBlocks(data: ArrayLike<number>): Bytes {
  const blocks: number[] = [];
  for (let offset = 0; offset < data.length; offset += 255) {
    const block = Array.from(data).slice(offset, offset + 255);
    blocks.push(block.length, ...block);
  }
  return Uint8Array.from([...blocks, 0]);
}

// Header, logical screen with a 2-colour global table, then per frame `extensions` (before the
// frame) and an image descriptor with stand-in LZW data; `after` before the trailer.
export function gifSample(screen: { width: number; height: number }, frames: GifFrame[] = [screen], { extensions = [] as Bytes[], after = [] as Bytes[] } = {}): Bytes {
  const parts: ArrayLike<number>[] = [ascii("GIF89a"), [...u16le(screen.width), ...u16le(screen.height), 0x80, 0, 0], [0, 0, 0, 255, 255, 255]];
  for (const frame of frames) {
    parts.push(...extensions);
    parts.push([0x2c, ...u16le(frame.left ?? 0), ...u16le(frame.top ?? 0), ...u16le(frame.width), ...u16le(frame.height), 0], [2], subBlocks([0x4c, 0x01]));
  }
  parts.push(...after, [0x3b]);
  return concat(...parts);
}

export const contains = (haystack: Bytes, needle: Bytes | string): boolean => {
  const wanted = typeof needle === "string" ? ascii(needle) : needle;
  outer: for (let i = 0; i + wanted.length <= haystack.length; i++) {
    for (let j = 0; j < wanted.length; j++) if (haystack[i + j] !== wanted[j]) continue outer;
    return true;
  }
  return false;
};
