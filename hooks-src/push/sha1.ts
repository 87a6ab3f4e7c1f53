// SHA-1 (FIPS 180-4), for WeChat's push signatures. PocketBase's $security has md5, sha256
// and sha512 but no sha1, and WeChat's signature is defined on sha1.
//
// Written for goja, which interprets every operation: the message goes straight into 32-bit
// words (four characters a step for ASCII text, which a signature's input always is), the
// arithmetic stays in int32 (| 0), and the rounds run without a branch or an allocation.
// About 2 ms of CPU per KB in goja.
import { utf8Encode } from "./bytes";

export function sha1Hex(text: string): string {
  const words = /^[\x00-\x7f]*$/.test(text) ? wordsOfAscii(text) : wordsOfBytes(utf8Encode(text));
  return digestWords(words)
    .map((word) => (word >>> 0).toString(16).padStart(8, "0"))
    .join("");
}

export function sha1(message: Uint8Array): Uint8Array {
  const digest = new Uint8Array(20);
  digestWords(wordsOfBytes(message)).forEach((word, index) => {
    for (let byte = 0; byte < 4; byte++) digest[index * 4 + byte] = (word >>> (24 - byte * 8)) & 0xff;
  });
  return digest;
}

function wordsOfAscii(text: string): number[] {
  const length = text.length;
  const whole = length >>> 2;
  const words: number[] = new Array(whole + 1);
  for (let j = 0, i = 0; j < whole; j++, i += 4) {
    words[j] = (text.charCodeAt(i) << 24) | (text.charCodeAt(i + 1) << 16) | (text.charCodeAt(i + 2) << 8) | text.charCodeAt(i + 3);
  }
  let last = 0;
  for (let i = whole * 4; i < length; i++) last |= text.charCodeAt(i) << (24 - (i & 3) * 8);
  words[whole] = last;
  return padded(words, length);
}

function wordsOfBytes(bytes: Uint8Array): number[] {
  const words: number[] = new Array((bytes.length >>> 2) + 1).fill(0);
  for (let i = 0; i < bytes.length; i++) words[i >>> 2] |= bytes[i] << (24 - (i & 3) * 8);
  return padded(words, bytes.length);
}

// The 0x80 after the message (its word is there already), zeros, then the length in bits.
function padded(words: number[], byteLength: number): number[] {
  words[byteLength >>> 2] |= 0x80 << (24 - (byteLength & 3) * 8);
  const total = (((byteLength + 8) >>> 6) + 1) * 16;
  while (words.length < total) words.push(0);
  words[total - 2] = Math.floor(byteLength / 0x20000000);
  words[total - 1] = (byteLength * 8) | 0;
  return words;
}

function digestWords(words: number[]): number[] {
  let h0 = 0x67452301, h1 = 0xefcdab89 | 0, h2 = 0x98badcfe | 0, h3 = 0x10325476, h4 = 0xc3d2e1f0 | 0;
  const w: number[] = new Array(80);
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 16; t++) w[t] = words[block + t];
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, next = 0, t = 0;
    for (; t < 20; t++) {
      next = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = next;
    }
    for (; t < 40; t++) {
      next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = next;
    }
    for (; t < 60; t++) {
      next = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = next;
    }
    for (; t < 80; t++) {
      next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w[t]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = next;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return [h0, h1, h2, h3, h4];
}
