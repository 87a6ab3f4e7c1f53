import { describe, expect, it } from "vitest";
import { isRenewalDue, tokenExpiry } from "../src/token";
import { makeToken } from "./fake-wx";

const DAY = 86_400;

describe("tokenExpiry", () => {
  it("reads exp from a PocketBase token", () => {
    expect(tokenExpiry(makeToken({ exp: 1_800_000_000 }))).toBe(1_800_000_000);
  });

  it("reads a payload holding non-ASCII text", () => {
    const payload = Buffer.from(JSON.stringify({ exp: 42, name: "张三 🙂" })).toString("base64url");
    expect(tokenExpiry(`e30.${payload}.sig`)).toBe(42);
  });

  it.each([
    ["an empty string", ""],
    ["no payload", "abc"],
    ["a payload that is not base64url", "a.***.c"],
    ["a payload that is not JSON", `a.${Buffer.from("nope").toString("base64url")}.c`],
    ["no exp", `a.${Buffer.from("{}").toString("base64url")}.c`],
    ["a string exp", `a.${Buffer.from('{"exp":"soon"}').toString("base64url")}.c`],
  ])("is null for %s", (_, token) => {
    expect(tokenExpiry(token)).toBeNull();
  });
});

describe("isRenewalDue", () => {
  const savedAt = 1_000_000 * 1000;
  const week = makeToken({ exp: 1_000_000 + 7 * DAY });
  const tenSeconds = makeToken({ exp: 1_000_000 + 10 });
  const at = (seconds: number) => (1_000_000 + seconds) * 1000;

  it.each([
    ["a 7-day token with 6 days left", week, at(DAY), false],
    ["a 7-day token just over a day left", week, at(6 * DAY - 1), false],
    ["a 7-day token with a day left", week, at(6 * DAY), true],
    ["an expired 7-day token", week, at(8 * DAY), true],
    ["a 10 s token after 4 s (margin capped at half its life)", tenSeconds, at(4), false],
    ["a 10 s token after 5 s", tenSeconds, at(5), true],
    ["a token without exp", "a.e30.c", at(10 * DAY), false],
  ])("%s: %s", (_, token, now, due) => {
    expect(isRenewalDue(token, savedAt, now, DAY)).toBe(due);
  });
});
