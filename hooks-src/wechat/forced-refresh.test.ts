import { storeAccessTokenCache } from "./access-token-cache";
import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { secondsUntilRefetch } from "./access-token-cache";
import { beijingDay, decideForcedRefresh, storeForcedRefreshGate, type ForcedRefreshRecord } from "./forced-refresh";

const NOON_UTC = Date.UTC(2026, 10, 22, 12, 0, 0); // 20:00 in Beijing
const record = (overrides: Partial<ForcedRefreshRecord> = {}): ForcedRefreshRecord => ({
  day: beijingDay(NOON_UTC),
  used: 0,
  inFlightUntilMs: 0,
  lastStartedAtMs: -Infinity,
  spentReported: false,
  ...overrides,
});

describe("decideForcedRefresh", () => {
  it("lets the first forced refresh of the day go, and holds it in flight", () => {
    const { decision, next } = decideForcedRefresh(null, NOON_UTC, 15, 4_000);
    expect(decision).toEqual({ kind: "go", usedToday: 1 });
    expect(next).toEqual(record({ used: 1, inFlightUntilMs: NOON_UTC + 4_000, lastStartedAtMs: NOON_UTC }));
  });

  it("makes everyone else wait while one is in flight", () => {
    const inFlight = record({ used: 1, inFlightUntilMs: NOON_UTC + 4_000, lastStartedAtMs: NOON_UTC });
    expect(decideForcedRefresh(inFlight, NOON_UTC + 3_999, 15, 4_000).decision).toEqual({ kind: "in-flight", untilMs: NOON_UTC + 4_000 });
  });

  it("refuses a second one within 30 s of the last, and allows it at 30 s", () => {
    const done = record({ used: 1, lastStartedAtMs: NOON_UTC });
    expect(decideForcedRefresh(done, NOON_UTC + 29_999, 15, 4_000).decision).toEqual({ kind: "too-soon" });
    expect(decideForcedRefresh(done, NOON_UTC + 30_000, 15, 4_000).decision).toEqual({ kind: "go", usedToday: 2 });
  });

  it("refuses past the daily budget, reporting the first refusal only", () => {
    const spent = decideForcedRefresh(record({ used: 15 }), NOON_UTC, 15, 4_000);
    expect(spent.decision).toEqual({ kind: "spent", firstRefusal: true });
    expect(decideForcedRefresh(spent.next, NOON_UTC + 60_000, 15, 4_000).decision).toEqual({ kind: "spent", firstRefusal: false });
    expect(decideForcedRefresh(null, NOON_UTC, 0, 4_000).decision).toEqual({ kind: "spent", firstRefusal: true });
  });

  it("starts a new budget at midnight in Beijing (16:00 UTC)", () => {
    const spent = record({ used: 15, spentReported: true, lastStartedAtMs: NOON_UTC - 3_600_000 });
    const beforeMidnight = Date.UTC(2026, 10, 22, 15, 59, 59);
    const afterMidnight = Date.UTC(2026, 10, 22, 16, 0, 0);
    expect(decideForcedRefresh(spent, beforeMidnight, 15, 4_000).decision).toMatchObject({ kind: "spent" });
    expect(decideForcedRefresh({ ...spent, day: beijingDay(beforeMidnight) }, afterMidnight, 15, 4_000).decision).toEqual({ kind: "go", usedToday: 1 });
  });
});

describe("storeForcedRefreshGate", () => {
  it("claims under the store's lock, finishes, and takes WeChat's 45009 as the day spent", () => {
    const memory = new MemoryStore();
    let now = NOON_UTC;
    const gate = storeForcedRefreshGate(15, 4_000, asStore(memory), () => now);
    expect(gate.claim()).toEqual({ kind: "go", usedToday: 1 });
    expect(gate.isInFlight()).toBe(true);
    expect(gate.claim()).toMatchObject({ kind: "in-flight" });
    gate.finish();
    expect(gate.isInFlight()).toBe(false);
    now += 30_000;
    gate.dailyCapReached();
    expect(gate.claim()).toEqual({ kind: "spent", firstRefusal: false });
  });
});

describe("each appid", () => {
  it("has its own forced-refresh budget and its own cached access token", () => {
    const memory = new MemoryStore();
    const now = () => NOON_UTC;
    storeForcedRefreshGate(1, 4_000, asStore(memory), now, "wx_a").claim();
    expect(storeForcedRefreshGate(1, 4_000, asStore(memory), now, "wx_a").claim()).toMatchObject({ kind: "in-flight" });
    expect(storeForcedRefreshGate(1, 4_000, asStore(memory), now, "wx_b").claim()).toEqual({ kind: "go", usedToday: 1 });
    storeAccessTokenCache(asStore(memory), now, "wx_a").set("TOKEN_A", 7200);
    expect(storeAccessTokenCache(asStore(memory), now, "wx_a").get()).toBe("TOKEN_A");
    expect(storeAccessTokenCache(asStore(memory), now, "wx_b").get()).toBeUndefined();
  });
});

describe("secondsUntilRefetch", () => {
  it.each([
    [7200, 6930],
    [1000, 730],
    [301, 31],
    [300, 300 - 300 * (300 / 7200) * 0.9],
    [240, 231],
  ])("refetches a token of %i s after %d s", (expiresIn, seconds) => {
    expect(secondsUntilRefetch(expiresIn)).toBeCloseTo(seconds, 6);
  });
});
