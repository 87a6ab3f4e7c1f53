// WeChat message push (消息推送) crypto, as WeChat's "消息加解密技术方案" defines it:
// - signature     = sha1 of token, timestamp and nonce sorted as strings and concatenated;
// - msg_signature = the same over token, timestamp, nonce and the Encrypt field (安全模式);
// - AESKey = base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = AESKey[0..16);
//   PKCS#7 padding to a multiple of 32; the plaintext is 16 random bytes, the message length
//   as 4 bytes big-endian, the message, then the appid it was sent for.
import { aesDecryptionFailed } from "./push-errors";
import { decryptAes256Cbc } from "./aes-cbc";
import { base64Decode, utf8Decode } from "./bytes";
import { sha1Hex } from "./sha1";

const WECHAT_PADDING_BLOCK = 32;

export function pushSignature(...parts: string[]): string {
  return sha1Hex([...parts].sort().join(""));
}

// Compares in time independent of where the strings differ.
export function signaturesMatch(expected: string, received: string): boolean {
  if (expected.length !== received.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ received.charCodeAt(i);
  return difference === 0;
}

export function isEncodingAesKey(value: string): boolean {
  return /^[A-Za-z0-9]{43}$/.test(value);
}

export function aesKeyOf(encodingAesKey: string): Uint8Array {
  if (!isEncodingAesKey(encodingAesKey)) throw new Error("an EncodingAESKey is 43 characters of [A-Za-z0-9]");
  return base64Decode(encodingAesKey + "=");
}

// The message inside an Encrypt field, if it decrypts, is well-formed and names our appid.
export function decryptPushMessage(encrypted: string, encodingAesKey: string, appId: string): string {
  const key = aesKeyOf(encodingAesKey);
  let plaintext: Uint8Array;
  try {
    plaintext = decryptAes256Cbc(base64Decode(encrypted), key, key.slice(0, 16));
  } catch {
    throw aesDecryptionFailed("not base64 or not whole AES blocks");
  }
  const pad = plaintext[plaintext.length - 1];
  if (pad < 1 || pad > WECHAT_PADDING_BLOCK || pad > plaintext.length || !plaintext.slice(plaintext.length - pad).every((byte) => byte === pad)) {
    throw aesDecryptionFailed("bad padding");
  }
  const content = plaintext.slice(16, plaintext.length - pad);
  if (content.length < 4) throw aesDecryptionFailed("too short");
  const messageLength = new DataView(content.buffer, content.byteOffset).getUint32(0);
  if (messageLength > content.length - 4) throw aesDecryptionFailed("message length out of range");
  let message: string;
  let receivedAppId: string;
  try {
    message = utf8Decode(content.slice(4, 4 + messageLength));
    receivedAppId = utf8Decode(content.slice(4 + messageLength));
  } catch {
    throw aesDecryptionFailed("not UTF-8");
  }
  if (receivedAppId !== appId) throw aesDecryptionFailed("sent for another appid");
  return message;
}
