import { failures } from "../errors";
import type { JsonObject } from "../validation";

export const MAX_BODY_BYTES = 16 * 1024;

// The body as a JSON object. Two decoders each refuse what the other lets through:
// PocketBase's (behind e.requestInfo()) refuses duplicate keys and invalid UTF-8 but
// ignores trailing content; JSON.parse refuses trailing content. The route's
// $apis.bodyLimit stops either read past MAX_BODY_BYTES, whether the body is chunked or not.
export function readJsonObjectBody(e: core.RequestEvent): JsonObject {
  const request = e.request!;
  const contentType = request.header.get("Content-Type").toLowerCase();
  if (!/^application\/json\s*(;|$)/.test(contentType)) throw failures.unsupportedMediaType();
  // Media types are case-insensitive, but PocketBase decodes JSON only for a lowercase one.
  request.header.set("Content-Type", contentType);
  let raw: string;
  try {
    raw = toString(request.body, MAX_BODY_BYTES + 1);
  } catch (error) {
    throw isBodyTooLarge(error) ? failures.payloadTooLarge(MAX_BODY_BYTES) : failures.malformedJson();
  }
  // PocketBase keeps a copy of a body read to the end, but its body-limit reader stays at
  // EOF until told to reread, as PocketBase's own decoder does after decoding.
  (request.body as unknown as { reread?: () => void }).reread?.();
  let decodedByPocketBase = true;
  try {
    e.requestInfo();
  } catch (error) {
    if (isBodyTooLarge(error)) throw failures.payloadTooLarge(MAX_BODY_BYTES);
    decodedByPocketBase = false;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw failures.malformedJson();
  }
  // PocketBase decodes into an object, so it also refuses valid JSON that is no object.
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw failures.bodyNotAnObject();
  if (!decodedByPocketBase) throw failures.malformedJson();
  return body as JsonObject;
}

// apis.ErrRequestEntityTooLarge, from the body reader that $apis.bodyLimit installs.
function isBodyTooLarge(error: unknown): boolean {
  return (error as { value?: { status?: unknown } } | null)?.value?.status === 413 || /entity too large/i.test(String(error));
}

// For routes whose body may be left out: no body at all reads as null.
export function readOptionalJsonObjectBody(e: core.RequestEvent): JsonObject | null {
  return e.request!.contentLength === 0 ? null : readJsonObjectBody(e);
}
