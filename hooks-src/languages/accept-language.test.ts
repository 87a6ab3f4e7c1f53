import { describe, expect, it } from "vitest";
import { languageOf, MAX_ACCEPT_LANGUAGE_LENGTH } from "./accept-language";

describe("languageOf", () => {
  it.each([
    ["en", "en"],
    ["en-US", "en"],
    ["EN-gb", "en"],
    ["en-US,en;q=0.9", "en"],
    ["zh-CN", "zh-CN"],
    ["zh", "zh-CN"],
    ["zh-TW", "zh-CN"],
    ["zh-Hans-CN", "zh-CN"],
    ["zh-CN;q=0.9,en;q=0.8", "zh-CN"],
    ["en;q=0.9,zh-CN;q=0.8", "en"],
    ["zh-CN;q=0.8, en;q=0.9", "en"],
    ["fr-FR,fr;q=0.9,en;q=0.8", "en"],
    ["fr-FR, de;q=0.9, zh;q=0.1", "zh-CN"],
    ["en, zh-CN", "en"],
    ["zh-CN, en", "zh-CN"],
    ["en;q=0.5, zh;q=0.5", "en"],
    ["en;q=1.000", "en"],
    ["en ; q=0.7", "en"],
    ["en;Q=0.7", "en"],
    ["en,,", "en"],
  ])("%j answers in %s", (header, language) => {
    expect(languageOf(header)).toBe(language);
  });

  it.each([
    ["missing", ""],
    ["only a wildcard", "*"],
    ["a wildcard weighing more than English", "en;q=0.5, *;q=0.8"],
    ["unknown languages", "fr-FR, de"],
    ["refused English", "en;q=0"],
    ["both refused", "zh;q=0, en;q=0"],
    ["a q over 1", "en;q=1.5"],
    ["a q with four decimals", "en;q=0.1234"],
    ["a q that is no number", "en;q=high"],
    ["another parameter", "en;level=1"],
    ["a tag with a nine-letter subtag", "en-abcdefghi"],
    ["a tag with an underscore, as WeChat spells it", "en_US"],
    ["a tag of digits", "123"],
    ["text", "give me English"],
    ["a control character", "en\u0000"],
    ["over-long", `en,${"fr;q=0.5,".repeat(30)}`],
  ])("answers zh-CN to %s", (_, header) => {
    expect(languageOf(header)).toBe("zh-CN");
  });

  it("reads a header of the maximum length, and no longer one", () => {
    const ranges = `en${",fr".repeat(Math.floor((MAX_ACCEPT_LANGUAGE_LENGTH - 2) / 3))}`;
    const atLimit = ranges.padEnd(MAX_ACCEPT_LANGUAGE_LENGTH, " ");
    expect(atLimit).toHaveLength(MAX_ACCEPT_LANGUAGE_LENGTH);
    expect(languageOf(atLimit)).toBe("en");
    expect(languageOf(`${atLimit} `)).toBe("zh-CN");
  });

  it("gives English to an English range beside a wildcard of lower weight", () => {
    expect(languageOf("en, *;q=0.5")).toBe("en");
  });
});
