import { failures } from "../errors";
import type { JsonObject } from "../validation";

export const MAX_BODY_BYTES = 16 * 1024;

// The body as a JSON object. Two decoders each refuse what the other lets through:
// PocketBase's (behind e.requestInfo()) refuses duplicate keys and invalid UTF-8 but
// ignores trailing content; JSON.parse refuses trailing content.
export function readJsonObjectBody(e: core.RequestEvent): JsonObject {
  const request = e.request!;
  const contentType = request.header.get("Content-Type").toLowerCase();
  if (!/^application\/json\s*(;|$)/.test(contentType)) throw failures.unsupportedMediaType();
  if (request.contentLength > MAX_BODY_BYTES) throw failures.payloadTooLarge();
  try {
    e.requestInfo();
  } catch {
    throw failures.malformedJson();
  }
  // PocketBase rewinds the body after decoding it, so it can be read again here.
  const raw = toString(request.body, MAX_BODY_BYTES + 1);
  if (utf8ByteLength(raw) > MAX_BODY_BYTES) throw failures.payloadTooLarge();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw failures.malformedJson();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw failures.bodyNotAnObject();
  return body as JsonObject;
}

export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

// For routes whose body may be left out: no body at all reads as null.
export function readOptionalJsonObjectBody(e: core.RequestEvent): JsonObject | null {
  return e.request!.contentLength === 0 ? null : readJsonObjectBody(e);
}
