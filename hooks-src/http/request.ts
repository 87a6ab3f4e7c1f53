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
  try {
    e.requestInfo();
  } catch (error) {
    throw isBodyTooLarge(error) ? failures.payloadTooLarge(MAX_BODY_BYTES) : failures.malformedJson();
  }
  // PocketBase rewinds the body after decoding it, so it can be read again here.
  let raw: string;
  try {
    raw = toString(request.body, MAX_BODY_BYTES + 1);
  } catch (error) {
    throw isBodyTooLarge(error) ? failures.payloadTooLarge(MAX_BODY_BYTES) : failures.malformedJson();
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw failures.malformedJson();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw failures.bodyNotAnObject();
  return body as JsonObject;
}

// apis.ErrRequestEntityTooLarge, from the body reader that $apis.bodyLimit installs.
function isBodyTooLarge(error: unknown): boolean {
  return (error as { value?: { status?: unknown } } | null)?.value?.status === 413 || /entity too large/i.test(String(error));
}
