import { describe, expect, it } from "vitest";
import { maskOpenid } from "./identity-view";

describe("maskOpenid", () => {
  it.each([
    ["oAbCdEfGh123456789", "oAbC**********6789"],
    ["osim_abcdefgh", "osim*****efgh"],
    ["short", "*****"],
    ["", ""],
  ])("%s → %s", (openid, masked) => {
    expect(maskOpenid(openid)).toBe(masked);
  });
});
