import { describe, expect, it } from "vitest";
import { saysRefreshable, signedPartOf, unverifiedClaimsOf } from "./token-parts";

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = encode({ alg: "HS256", typ: "JWT" });
const token = (claims: object, signature = "c2lnbmF0dXJlLW9mLTMyLWJ5dGVzLXh4eHh4eHh4eHh4eHg") => `${header}.${encode(claims)}.${signature}`;

describe("signedPartOf", () => {
  it("is the same for every spelling of a token's signature", () => {
    const claims = { id: "u1", exp: 1 };
    expect(signedPartOf(token(claims, "abcE"))).toBe(signedPartOf(token(claims, "abcF")));
    expect(signedPartOf(token(claims))).toBe(`${header}.${encode(claims)}`);
  });

  it("differs between tokens of different claims", () => {
    expect(signedPartOf(token({ id: "u1", jti: "a" }))).not.toBe(signedPartOf(token({ id: "u1", jti: "b" })));
  });
});

describe("unverifiedClaimsOf", () => {
  it("reads the payload of any JWT, expired or not", () => {
    const claims = { id: "u1", collectionId: "c1", type: "auth", exp: 1, refreshable: true };
    expect(unverifiedClaimsOf(token(claims))).toEqual(claims);
  });

  it.each([
    ["no dots", "abc"],
    ["two parts", `${header}.${encode({ id: "u1" })}`],
    ["a payload that is not base64url", `${header}.+++.sig`],
    ["a payload that is not JSON", `${header}.${Buffer.from("nope").toString("base64url")}.sig`],
    ["a payload that is not an object", `${header}.${encode([1])}.sig`],
    ["an oversized payload", `${header}.${"A".repeat(5000)}.sig`],
    ["nothing", ""],
  ])("is null for %s", (_, text) => {
    expect(unverifiedClaimsOf(text)).toBeNull();
  });
});

describe("saysRefreshable", () => {
  // Claims as Go writes them, in its key order; ids of three lengths put the claim at each offset modulo 3.
  const claims = (id: string, refreshable: boolean) => ({ collectionId: "pbc_3142635823", exp: 1765000000, id, jti: "aMmcMrufjBkADUXf2", refreshable, type: "auth" });

  it.each(["abc", "abcd", "abcde"])("reads refreshable: true, whatever its offset (id %s)", (id) => {
    expect(saysRefreshable(token(claims(id, true)))).toBe(true);
  });

  it.each(["abc", "abcd", "abcde"])("reads refreshable: false (id %s)", (id) => {
    expect(saysRefreshable(token(claims(id, false)))).toBe(false);
  });

  it("reads a token without the claim as not refreshable", () => {
    expect(saysRefreshable(token({ id: "abc", type: "auth" }))).toBe(false);
  });

  it("does not take a value that quotes the claim, at any offset, for the claim", () => {
    for (const pad of ["", "x", "xx"]) {
      expect(saysRefreshable(token({ id: `${pad}"refreshable":true`, refreshable: false }))).toBe(false);
    }
  });
});
