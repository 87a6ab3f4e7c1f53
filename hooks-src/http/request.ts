import { failures } from "../errors";
import type { JsonObject } from "../validation";
import { requestOf } from "./request-memo";
import { strictJsonVerdict } from "./strict-json";

export const MAX_BODY_BYTES = 16 * 1024;

// The body as a JSON object, refused where PocketBase's own decoder would refuse it (strict-json.ts:
// duplicate names, invalid UTF-8) and where JSON.parse does (trailing content, which PocketBase
// ignores). The route's $apis.bodyLimit stops the read past MAX_BODY_BYTES, whether the body is
// chunked or not.
export function readJsonObjectBody(e: core.RequestEvent): JsonObject {
  const request = requestOf(e);
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
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw failures.malformedJson();
  }
  // PocketBase decodes into an object, so it also refuses valid JSON that is no object.
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw failures.bodyNotAnObject();
  const verdict = strictJsonVerdict(raw, body);
  if (verdict === "invalid" || (verdict === "unsure" && !decodedByPocketBase(e))) throw failures.malformedJson();
  return body as JsonObject;
}

function decodedByPocketBase(e: core.RequestEvent): boolean {
  try {
    e.requestInfo();
    return true;
  } catch (error) {
    if (isBodyTooLarge(error)) throw failures.payloadTooLarge(MAX_BODY_BYTES);
    return false;
  }
}

// apis.ErrRequestEntityTooLarge, from the body reader that $apis.bodyLimit installs.
function isBodyTooLarge(error: unknown): boolean {
  return (error as { value?: { status?: unknown } } | null)?.value?.status === 413 || /entity too large/i.test(String(error));
}

// For routes whose body may be left out: no body at all reads as null.
export function readOptionalJsonObjectBody(e: core.RequestEvent): JsonObject | null {
  return requestOf(e).contentLength === 0 ? null : readJsonObjectBody(e);
}
