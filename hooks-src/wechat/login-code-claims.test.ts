import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { claimLoginCode, sweepExpiredLoginCodeClaims } from "./login-code-claims";

describe("claimLoginCode", () => {
  it("lets a code through once per 10 s", () => {
    const store = asStore(new MemoryStore());
    expect(claimLoginCode("c1", store, 0)).toBe(true);
    expect(claimLoginCode("c1", store, 9_999)).toBe(false);
    expect(claimLoginCode("c2", store, 9_999)).toBe(true);
    expect(claimLoginCode("c1", store, 10_000)).toBe(true);
  });

  it("sweeps only expired claims", () => {
    const memory = new MemoryStore();
    memory.set("unrelated", 1);
    claimLoginCode("old", asStore(memory), 0);
    claimLoginCode("new", asStore(memory), 5_000);
    sweepExpiredLoginCodeClaims(asStore(memory), 12_000);
    expect(memory.keys()).toEqual(["unrelated", "bai.loginCode.new"]);
  });
});
