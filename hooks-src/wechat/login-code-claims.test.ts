import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { claimLoginCode, sweepExpiredLoginCodeClaims } from "./login-code-claims";

describe("claimLoginCode", () => {
  it("lets a code through once per 10 s", () => {
    const store = asStore(new MemoryStore());
    expect(claimLoginCode("c1", store, 0)).not.toBeNull();
    expect(claimLoginCode("c1", store, 9_999)).toBeNull();
    expect(claimLoginCode("c2", store, 9_999)).not.toBeNull();
    expect(claimLoginCode("c1", store, 10_000)).not.toBeNull();
  });

  it("lets a released code through again at once", () => {
    const store = asStore(new MemoryStore());
    claimLoginCode("c1", store, 0)!.release();
    expect(claimLoginCode("c1", store, 1)).not.toBeNull();
    expect(claimLoginCode("c1", store, 2)).toBeNull();
  });

  it("releases only its own claim, not a later claim of the same code", () => {
    const store = asStore(new MemoryStore());
    const expired = claimLoginCode("c1", store, 0)!;
    expect(claimLoginCode("c1", store, 10_000)).not.toBeNull();
    expired.release();
    expect(claimLoginCode("c1", store, 10_001)).toBeNull();
  });

  it("sweeps only expired claims", () => {
    const memory = new MemoryStore();
    memory.set("unrelated", 1);
    claimLoginCode("old", asStore(memory), 0);
    claimLoginCode("new", asStore(memory), 5_000);
    claimLoginCode("released", asStore(memory), 5_000)!.release();
    sweepExpiredLoginCodeClaims(asStore(memory), 12_000);
    expect(memory.keys()).toEqual(["unrelated", "bai.loginCode.new"]);
  });
});
