// Byte helpers for the push crypto: goja has no Buffer, TextEncoder, TextDecoder or atob.
export function utf8Encode(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(bytes);
}

// Throws on anything that is not well-formed UTF-8 (decodeURIComponent is strict about it).
export function utf8Decode(bytes: Uint8Array): string {
  let escaped = "";
  for (const byte of bytes) escaped += byte < 0x10 ? "%0" + byte.toString(16) : "%" + byte.toString(16);
  return decodeURIComponent(escaped);
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Standard (RFC 4648 §4) base64 with padding; throws on any other character or length.
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error("not base64");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const output = new Uint8Array((text.length / 4) * 3 - padding);
  let written = 0;
  for (let i = 0; i < text.length; i += 4) {
    const sextets = [0, 1, 2, 3].map((offset) => (text[i + offset] === "=" ? 0 : BASE64_ALPHABET.indexOf(text[i + offset])));
    const triple = (sextets[0] << 18) | (sextets[1] << 12) | (sextets[2] << 6) | sextets[3];
    for (const shift of [16, 8, 0]) if (written < output.length) output[written++] = (triple >> shift) & 0xff;
  }
  return output;
}

export function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += (byte < 0x10 ? "0" : "") + byte.toString(16);
  return text;
}
