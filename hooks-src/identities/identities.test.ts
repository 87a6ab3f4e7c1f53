import { describe, expect, it } from "vitest";
import { isLastLoginStaleAt, LAST_LOGIN_PRECISION_MS, storedDateMs } from "./identities";

describe("storedDateMs", () => {
  it("reads PocketBase's stored date format", () => {
    expect(storedDateMs("2026-12-05 10:00:00.000Z")).toBe(Date.UTC(2026, 11, 5, 10));
    expect(storedDateMs("2026-12-05 10:00:00.123Z")).toBe(Date.UTC(2026, 11, 5, 10, 0, 0, 123));
  });

  it("is 0 for an empty or unreadable date", () => {
    expect(storedDateMs("")).toBe(0);
    expect(storedDateMs("not a date")).toBe(0);
  });
});

describe("isLastLoginStaleAt", () => {
  const now = new Date(Date.UTC(2026, 11, 5, 12));
  it("is stale for never, and from an hour on", () => {
    expect(isLastLoginStaleAt(0, now)).toBe(true);
    expect(isLastLoginStaleAt(now.getTime() - LAST_LOGIN_PRECISION_MS, now)).toBe(true);
    expect(isLastLoginStaleAt(now.getTime() - LAST_LOGIN_PRECISION_MS + 1, now)).toBe(false);
    expect(isLastLoginStaleAt(now.getTime(), now)).toBe(false);
  });
});
