// What PocketBase's JSON decoder (encoding/json/v2, behind e.requestInfo()) refuses in a text that
// JSON.parse accepts: a member name twice in one object (compared unescaped), a number beyond a
// float64, invalid UTF-8 and an escaped lone surrogate. Asking PocketBase builds all of
// e.requestInfo(), which snake-cases every header name: about 16 k of a login's 2.1 M instructions.
// goja has turned invalid UTF-8 into U+FFFD before JS reads the body, and surrogate escapes need
// pairing, so a text with either is left to PocketBase: "unsure". Clients rarely send them.
export type StrictJsonVerdict = "valid" | "invalid" | "unsure";

const LEFT_TO_POCKETBASE = /\uFFFD|\\u[dD][89a-fA-F]/;
// In valid JSON, scanning from the start, every match begins at a string's opening quote: a
// value's string is never followed by a colon, and its inner escaped quotes close where it does.
const MEMBER_NAME = /"(?:[^"\\]|\\.)*"\s*:/g;

// `parsed` is JSON.parse(text).
export function strictJsonVerdict(text: string, parsed: unknown): StrictJsonVerdict {
  if (LEFT_TO_POCKETBASE.test(text)) return "unsure";
  const tally = { members: 0, finite: true };
  tallyMembers(parsed, tally);
  if (!tally.finite) return "invalid";
  // A name given twice leaves one member after parsing, and two names in the text.
  return (text.match(MEMBER_NAME)?.length ?? 0) === tally.members ? "valid" : "invalid";
}

function tallyMembers(value: unknown, tally: { members: number; finite: boolean }): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) tally.finite = false;
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) tallyMembers(item, tally);
    return;
  }
  for (const name in value) {
    tally.members++;
    tallyMembers((value as Record<string, unknown>)[name], tally);
  }
}
