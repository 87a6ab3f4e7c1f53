// AES-256-CBC decryption (FIPS 197, SP 800-38A), for 安全模式 pushes. goja has no Node crypto,
// and PocketBase's $security.decrypt is AES-GCM with its own framing, so this is the cipher
// WeChat specifies, written out: key expansion, the inverse cipher, CBC chaining. It only
// decrypts; padding is the caller's business (WeChat pads to 32 bytes, not 16).
interface AesTables {
  sbox: Uint8Array;
  inverseSbox: Uint8Array;
  // GF(2^8) products by InvMixColumns' coefficients, looked up rather than computed: goja
  // runs this byte by byte; with the lookups a 400-byte push decrypts in about 7 ms (was 150+).
  times9: Uint8Array;
  times11: Uint8Array;
  times13: Uint8Array;
  times14: Uint8Array;
}

// Built by the first decryption, not when the bundle loads: every VM PocketBase starts loads
// the bundle, and few of them ever decrypt a push.
let tables: AesTables | undefined;

function aesTables(): AesTables {
  if (tables) return tables;
  const sbox = buildSbox();
  const inverseSbox = new Uint8Array(256);
  sbox.forEach((value, index) => (inverseSbox[value] = index));
  tables = { sbox, inverseSbox, times9: productTable(9), times11: productTable(11), times13: productTable(13), times14: productTable(14) };
  return tables;
}

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

function expandKey(key: Uint8Array, sbox: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new Error("AES-256 needs a 32-byte key");
  const expanded = new Uint8Array(16 * (ROUNDS + 1));
  expanded.set(key);
  let roundConstant = 1;
  for (let i = 32; i < expanded.length; i += 4) {
    let word = expanded.slice(i - 4, i);
    if (i % 32 === 0) {
      word = Uint8Array.from([sbox[word[1]] ^ roundConstant, sbox[word[2]], sbox[word[3]], sbox[word[0]]]);
      roundConstant = multiply(roundConstant, 2);
    } else if (i % 32 === 16) {
      word = word.map((byte) => sbox[byte]);
    }
    for (let j = 0; j < 4; j++) expanded[i + j] = expanded[i - 32 + j] ^ word[j];
  }
  return expanded;
}

function productTable(factor: number): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) table[i] = multiply(i, factor);
  return table;
}

// Decrypts one block in place (state and scratch are 16 bytes each).
function decryptBlock(state: Uint8Array, roundKeys: Uint8Array, scratch: Uint8Array, tables: AesTables): void {
  addRoundKey(state, roundKeys, ROUNDS);
  for (let round = ROUNDS - 1; round >= 0; round--) {
    // InvShiftRows and InvSubBytes together. The state is column-major: byte (row r,
    // column c) is at 4c + r, and row r moves r columns to the right.
    for (let column = 0; column < 4; column++) {
      for (let row = 0; row < 4; row++) scratch[((column + row) % 4) * 4 + row] = tables.inverseSbox[state[column * 4 + row]];
    }
    state.set(scratch);
    addRoundKey(state, roundKeys, round);
    if (round > 0) inverseMixColumns(state, tables);
  }
}

function addRoundKey(state: Uint8Array, roundKeys: Uint8Array, round: number): void {
  const offset = round * 16;
  for (let i = 0; i < 16; i++) state[i] ^= roundKeys[offset + i];
}

function inverseMixColumns(state: Uint8Array, { times9, times11, times13, times14 }: AesTables): void {
  for (let i = 0; i < 16; i += 4) {
    const a = state[i], b = state[i + 1], c = state[i + 2], d = state[i + 3];
    state[i] = times14[a] ^ times11[b] ^ times13[c] ^ times9[d];
    state[i + 1] = times9[a] ^ times14[b] ^ times11[c] ^ times13[d];
    state[i + 2] = times13[a] ^ times9[b] ^ times14[c] ^ times11[d];
    state[i + 3] = times11[a] ^ times13[b] ^ times9[c] ^ times14[d];
  }
}

export function decryptAes256Cbc(ciphertext: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new Error("ciphertext is not whole AES blocks");
  if (iv.length !== 16) throw new Error("AES-CBC needs a 16-byte IV");
  const tables = aesTables();
  const roundKeys = expandKey(key, tables.sbox);
  const plaintext = new Uint8Array(ciphertext.length);
  const state = new Uint8Array(16);
  const scratch = new Uint8Array(16);
  for (let offset = 0; offset < ciphertext.length; offset += 16) {
    for (let i = 0; i < 16; i++) state[i] = ciphertext[offset + i];
    decryptBlock(state, roundKeys, scratch, tables);
    for (let i = 0; i < 16; i++) plaintext[offset + i] = state[i] ^ (offset === 0 ? iv[i] : ciphertext[offset - 16 + i]);
  }
  return plaintext;
}
