// Avatar uploads exactly as wx.uploadFile sends them, and small real images of each type.
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { deflateSync } from "node:zlib";
import { expect, inject } from "vitest";
import { expectContract, type ApiResponse } from "./api";
import { contractProblems } from "./contract";

// A real W×H RGB PNG (PocketBase can make thumbnails of it).
export function png(width = 32, height = 32): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows.set([x * 8, y * 8, 128], y * (1 + width * 3) + 1 + x * 3);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

// 8×8 images made with Go's image/jpeg and image/gif; a 1×1 lossless WebP.
export const images = {
  png: png(),
  jpeg: Buffer.from(
    "/9j/2wCEABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2MBERISGBUYLxoaL2NCOEJjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY//AABEIAAgACAMBIgACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AH6FF92t/wAqsbQv4a36jE4Gj7R6HVjJP2rP/9k=",
    "base64",
  ),
  gif: Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"),
  webp: Buffer.from("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==", "base64"),
};

export interface UploadPart {
  name: string;
  filename?: string;
  contentType?: string;
  content: Buffer | string;
}

// wx.uploadFile: one file part named by `name` (ours: "file") with the temp file's name and a
// Content-Type guessed from its extension, plus one text part per formData entry.
export function wxUploadFileBody(parts: UploadPart[]): { body: Buffer; contentType: string } {
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? "" : `; filename="${part.filename}"`}`;
    const headers = [`Content-Disposition: ${disposition}`, ...(part.contentType ? [`Content-Type: ${part.contentType}`] : [])];
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join("\r\n")}\r\n\r\n`), Buffer.from(part.content), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const filePart = (content: Buffer | string, filename = "tmp_8a3f0c.jpg", contentType = "image/jpeg"): UploadPart => ({ name: "file", filename, contentType, content });

export async function uploadAvatar(token: string | undefined, parts: UploadPart[], baseUrl: string = inject("pocketbaseUrl")): Promise<ApiResponse> {
  const { body, contentType } = wxUploadFileBody(parts);
  return sendUpload(token, body, contentType, baseUrl);
}

export async function sendUpload(token: string | undefined, body: Buffer | string, contentType: string, baseUrl: string = inject("pocketbaseUrl")): Promise<ApiResponse> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/api/wechat/avatar`, { method: "POST", headers, body });
  const text = await response.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = { status: response.status, headers: response.headers, body: parsed, text };
  expect(contractProblems("/api/wechat/avatar", "POST", result), `avatar answered ${response.status} ${text.slice(0, 300)}`).toEqual([]);
  return result;
}

// The upload, with `whileReading` run at the moment the route starts reading the file: the
// request says `Expect: 100-continue`, so Go's server asks for the body (100 Continue) only on
// the route's first read, after it has accepted the token. The body follows once
// `whileReading` is done. Deterministic: nothing else of the request happens in between.
export function uploadAvatarWhileReading(token: string, parts: UploadPart[], whileReading: () => Promise<unknown>, baseUrl: string = inject("pocketbaseUrl")): Promise<ApiResponse> {
  const { body, contentType } = wxUploadFileBody(parts);
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}/api/wechat/avatar`, {
      method: "POST",
      headers: { "content-type": contentType, "content-length": body.length, authorization: `Bearer ${token}`, expect: "100-continue" },
    });
    request.on("continue", () => whileReading().then(() => request.end(body), reject));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const headers = new Headers(Object.entries(response.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)] as [string, string]])));
        let parsed: any;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        try {
          resolve(expectContract("/api/wechat/avatar", "POST", { status: response.statusCode!, headers, body: parsed, text }));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on("error", reject);
  });
}
