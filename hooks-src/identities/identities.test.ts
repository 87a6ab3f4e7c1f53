import { describe, expect, it } from "vitest";
import { isLastLoginStaleAt, LAST_LOGIN_PRECISION_MS } from "./identities";

describe("isLastLoginStaleAt", () => {
  const now = new Date(Date.UTC(2026, 11, 5, 12));
  it("is stale for never, and from an hour on", () => {
    expect(isLastLoginStaleAt(0, now)).toBe(true);
    expect(isLastLoginStaleAt(now.getTime() - LAST_LOGIN_PRECISION_MS, now)).toBe(true);
    expect(isLastLoginStaleAt(now.getTime() - LAST_LOGIN_PRECISION_MS + 1, now)).toBe(false);
    expect(isLastLoginStaleAt(now.getTime(), now)).toBe(false);
  });
});
