import { describe, expect, it } from "vitest";
import { signedPartOf, unverifiedClaimsOf } from "./token-parts";

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
