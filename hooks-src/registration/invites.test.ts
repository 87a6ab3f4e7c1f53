import { describe, expect, it } from "vitest";
import { inviteProblem } from "./invites";

const now = new Date("2026-03-19T10:00:00Z");

describe("inviteProblem", () => {
  it("accepts an invite with uses left that has not expired, or never does", () => {
    expect(inviteProblem({ usesLeft: 1, expiresAt: new Date("2026-03-19T10:00:01Z") }, now)).toBeUndefined();
    expect(inviteProblem({ usesLeft: 5, expiresAt: null }, now)).toBeUndefined();
  });

  it.each([
    ["no such invite", null, "invite_invalid"],
    ["an invite that expired", { usesLeft: 3, expiresAt: new Date("2026-03-19T09:59:59Z") }, "invite_expired"],
    ["an invite that expires this very moment", { usesLeft: 3, expiresAt: now }, "invite_expired"],
    ["an invite used up", { usesLeft: 0, expiresAt: null }, "invite_used_up"],
    ["an invite staff set below zero", { usesLeft: -1, expiresAt: null }, "invite_used_up"],
  ])("refuses %s", (_, invite, code) => {
    expect(inviteProblem(invite, now)?.code).toBe(code);
  });
});
