import { describe, expect, it } from "vitest";
import { strictJsonVerdict } from "./strict-json";

const verdictOf = (text: string) => strictJsonVerdict(text, JSON.parse(text));

describe("strictJsonVerdict", () => {
  it.each([
    '{"users_wx_code":"u-1","consents":[{"document":"privacy","version":"2026-01"}],"cancel_deletion":false}',
    '{"a":"b:","c":"\\":","d":"\\\\","e":""}',
    '{"":1,"a":{"":2},"b":[{"c":1},{"c":2}]}',
    '{ "a" : 1 , "b" :\n{"a":1} }',
    '{"a":"\\"x\\":"}',
    '{"a":1e-999,"b":-0,"c":123456789012345678901234567890}',
    '{"__proto__":{"a":1}}',
    "{}",
  ])("lets %s through, as PocketBase does", (text) => {
    expect(verdictOf(text)).toBe("valid");
  });

  it.each([
    ['{"a":1,"a":2}'],
    ['{"a":1,"\\u0061":2}'],
    ['{"a":{"b":1,"b":2}}'],
    ['{"a":[{"b":1,"b":2}]}'],
    ['{"a":1e999}'],
    ['{"a":[-1e999]}'],
  ])("refuses %s, as PocketBase does", (text) => {
    expect(verdictOf(text)).toBe("invalid");
  });

  it.each([['{"a":"\\ud800"}'], ['{"a":"\\uD83D\\uDE00"}'], ['{"a":"\uFFFD"}']])("leaves %s to PocketBase", (text) => {
    expect(verdictOf(text)).toBe("unsure");
  });
});
