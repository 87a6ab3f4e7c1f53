import { describe, expect, it } from "vitest";
import { groupOf } from "../scripts/generate-unicode-categories.mjs";
import { categoryGroupOf, CATEGORY_GROUP } from "./unicode-categories";
import { UNICODE_VERSION } from "./unicode-categories.generated";

describe("categoryGroupOf", () => {
  it.each([
    ["A", CATEGORY_GROUP.visible],
    ["张", CATEGORY_GROUP.visible],
    ["·", CATEGORY_GROUP.visible],
    ["😀", CATEGORY_GROUP.visible],
    ["\u0301", CATEGORY_GROUP.mark],
    [" ", CATEGORY_GROUP.space],
    ["\u3000", CATEGORY_GROUP.space],
    ["\u0007", CATEGORY_GROUP.other],
    ["\u200B", CATEGORY_GROUP.other],
    ["\u2028", CATEGORY_GROUP.other],
    ["\u{E0041}", CATEGORY_GROUP.other],
    ["\u{10FFFF}", CATEGORY_GROUP.other],
  ])("%s", (character, group) => {
    expect(categoryGroupOf(character.codePointAt(0)!)).toBe(group);
  });

  // A newer Node may know more of Unicode than the table; it must not disagree with it.
  it(`matches this Node's Unicode data wherever the table (Unicode ${UNICODE_VERSION}) assigns a category`, () => {
    const disagreements: string[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const group = categoryGroupOf(codePoint);
      if (group !== CATEGORY_GROUP.other && group !== groupOf(codePoint)) disagreements.push(codePoint.toString(16));
    }
    expect(disagreements).toEqual([]);
  });
});
