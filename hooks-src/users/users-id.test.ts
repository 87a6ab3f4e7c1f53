import { describe, expect, it } from "vitest";
import { nextFreeUsersId, usersIdOf, usersIdPrefix } from "./users-id";

describe("usersIdPrefix", () => {
  it("uses the date in Asia/Shanghai", () => {
    expect(usersIdPrefix(new Date("2026-03-19T15:59:59Z"))).toBe("U20260319");
    expect(usersIdPrefix(new Date("2026-03-19T16:00:00Z"))).toBe("U20260320");
    expect(usersIdPrefix(new Date("2026-12-31T16:00:00Z"))).toBe("U20270101");
  });
});

describe("usersIdOf", () => {
  it.each([
    [1, "U202603190001"],
    [42, "U202603190042"],
    [9999, "U202603199999"],
    [10000, "U2026031910000"],
  ])("sequence %i -> %s", (sequence, usersId) => {
    expect(usersIdOf("U20260319", sequence)).toBe(usersId);
  });

  it("never produces today's prefix plus a zero-padded fifth digit, as a staff typo might", () => {
    const typoShaped = [];
    for (let sequence = 1; sequence <= 99_999; sequence++) if (/^U20260319(0\d{4})$/.test(usersIdOf("U20260319", sequence))) typoShaped.push(sequence);
    expect(typoShaped).toEqual([]);
  });
});

describe("nextFreeUsersId", () => {
  const takenBy = (...ids: string[]) => (usersId: string) => ids.includes(usersId);

  it.each([
    ["starts the day at 0001", 0, takenBy(), "U202603190001", 1],
    ["counts on from the day's last sequence", 41, takenBy(), "U202603190042", 42],
    ["skips ids staff already gave out", 41, takenBy("U202603190042", "U202603190043"), "U202603190044", 44],
    ["ignores staff ids it would never produce", 0, takenBy("U2026031900001", "U20260319001"), "U202603190001", 1],
    ["grows a fifth digit after 9999", 9999, takenBy(), "U2026031910000", 10000],
  ])("%s", (_, lastSequence, isTaken, usersId, sequence) => {
    expect(nextFreeUsersId("U20260319", lastSequence, isTaken)).toEqual({ usersId, sequence });
  });
});
