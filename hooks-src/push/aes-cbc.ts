// AES-256-CBC decryption (FIPS 197, SP 800-38A), for 安全模式 pushes. goja has no Node crypto,
// and PocketBase's $security.decrypt is AES-GCM with its own framing, so this is the cipher
// WeChat specifies, written out: key expansion, the inverse cipher, CBC chaining. It only
// decrypts; padding is the caller's business (WeChat pads to 32 bytes, not 16).
const SBOX = buildSbox();
const INVERSE_SBOX = new Uint8Array(256);
SBOX.forEach((value, index) => (INVERSE_SBOX[value] = index));

function buildSbox(): Uint8Array {
  const sbox = new Uint8Array(256);
  // Walk the multiplicative group with generator 3 to get each byte's inverse, then apply
  // the affine transform (FIPS 197 §5.1.1).
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const rotated = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4);
    sbox[p] = (rotated ^ 0x63) & 0xff;
  } while (p !== 1);
  sbox[0] = 0x63;
  return sbox;
}

function rotl8(value: number, bits: number): number {
  return ((value << bits) | (value >> (8 - bits))) & 0xff;
}

function multiply(a: number, b: number): number {
  let product = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) product ^= a;
    a = a & 0x80 ? ((a << 1) ^ 0x11b) & 0xff : a << 1;
    b >>= 1;
  }
  return product;
}

const ROUNDS = 14; // AES-256

function expandKey(key: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new Error("AES-256 needs a 32-byte key");
  const expanded = new Uint8Array(16 * (ROUNDS + 1));
  expanded.set(key);
  let roundConstant = 1;
  for (let i = 32; i < expanded.length; i += 4) {
    let word = expanded.slice(i - 4, i);
    if (i % 32 === 0) {
      word = Uint8Array.from([SBOX[word[1]] ^ roundConstant, SBOX[word[2]], SBOX[word[3]], SBOX[word[0]]]);
      roundConstant = multiply(roundConstant, 2);
    } else if (i % 32 === 16) {
      word = word.map((byte) => SBOX[byte]);
    }
    for (let j = 0; j < 4; j++) expanded[i + j] = expanded[i - 32 + j] ^ word[j];
  }
  return expanded;
}

function decryptBlock(block: Uint8Array, roundKeys: Uint8Array): Uint8Array {
  const state = new Uint8Array(block); // a copy, whatever kind of view block is
  addRoundKey(state, roundKeys, ROUNDS);
  for (let round = ROUNDS - 1; round >= 0; round--) {
    inverseShiftRows(state);
    for (let i = 0; i < 16; i++) state[i] = INVERSE_SBOX[state[i]];
    addRoundKey(state, roundKeys, round);
    if (round > 0) inverseMixColumns(state);
  }
  return state;
}

function addRoundKey(state: Uint8Array, roundKeys: Uint8Array, round: number): void {
  for (let i = 0; i < 16; i++) state[i] ^= roundKeys[round * 16 + i];
}

// The state is column-major: byte (row r, column c) is at 4c + r.
function inverseShiftRows(state: Uint8Array): void {
  const copy = new Uint8Array(state);
  for (let row = 1; row < 4; row++) {
    for (let column = 0; column < 4; column++) state[((column + row) % 4) * 4 + row] = copy[column * 4 + row];
  }
}

function inverseMixColumns(state: Uint8Array): void {
  for (let column = 0; column < 4; column++) {
    const [a, b, c, d] = state.slice(column * 4, column * 4 + 4);
    state[column * 4] = multiply(a, 14) ^ multiply(b, 11) ^ multiply(c, 13) ^ multiply(d, 9);
    state[column * 4 + 1] = multiply(a, 9) ^ multiply(b, 14) ^ multiply(c, 11) ^ multiply(d, 13);
    state[column * 4 + 2] = multiply(a, 13) ^ multiply(b, 9) ^ multiply(c, 14) ^ multiply(d, 11);
    state[column * 4 + 3] = multiply(a, 11) ^ multiply(b, 13) ^ multiply(c, 9) ^ multiply(d, 14);
  }
}

export function decryptAes256Cbc(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new Error("ciphertext is not whole AES blocks");
  if (iv.length !== 16) throw new Error("AES-CBC needs a 16-byte IV");
  const roundKeys = expandKey(key);
  const plaintext = new Uint8Array(ciphertext.length);
  let previous = iv;
  for (let offset = 0; offset < ciphertext.length; offset += 16) {
    const block = new Uint8Array(ciphertext.subarray(offset, offset + 16));
    const decrypted = decryptBlock(block, roundKeys);
    for (let i = 0; i < 16; i++) plaintext[offset + i] = decrypted[i] ^ previous[i];
    previous = block;
  }
  return plaintext;
}
