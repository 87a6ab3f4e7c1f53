import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { revocationCache } from "./token-revocation";

describe("revocationCache", () => {
  it("knows a revoked token by its hash, for its user", () => {
    const cache = revocationCache(asStore(new MemoryStore()));
    cache.add("hash-a", "user1", 2_000);
    expect(cache.isRevoked("user1", () => "hash-a")).toBe(true);
    expect(cache.isRevoked("user1", () => "hash-b")).toBe(false);
  });

  it("doesn't hash the token of a user who has revoked none", () => {
    const cache = revocationCache(asStore(new MemoryStore()));
    cache.add("hash-a", "user1", 2_000);
    let hashed = false;
    expect(cache.isRevoked("user2", () => ((hashed = true), "hash-a"))).toBe(false);
    expect(hashed).toBe(false);
  });

  it("forgets tokens and users once every token they revoked has expired", () => {
    const memory = new MemoryStore();
    const cache = revocationCache(asStore(memory));
    cache.add("hash-a", "user1", 2_000);
    cache.add("hash-b", "user1", 5_000);
    cache.sweep(3_000);
    expect(cache.isRevoked("user1", () => "hash-a")).toBe(false);
    expect(cache.isRevoked("user1", () => "hash-b")).toBe(true);
    cache.sweep(5_000);
    expect(memory.keys()).toEqual([]);
  });

  it("leaves other keys of the store alone", () => {
    const memory = new MemoryStore();
    memory.set("bai.loginCode.x", 1);
    revocationCache(asStore(memory)).sweep(10_000);
    expect(memory.keys()).toEqual(["bai.loginCode.x"]);
  });
});
