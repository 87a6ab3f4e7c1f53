// Which of our two languages an answer is in, from the request's Accept-Language (RFC 9110 §12.5.4):
// the supported language of the highest weight (of equal weights, the one listed first), zh-CN when
// none is acceptable. A header we can't read whole (malformed, or longer than any browser sends) is
// ignored, as a missing one is: the answer is in zh-CN, as before there was a choice.
export type Language = "zh-CN" | "en";

export const DEFAULT_LANGUAGE: Language = "zh-CN";
export const MAX_ACCEPT_LANGUAGE_LENGTH = 256;

// language-range [ OWS ";" OWS "q=" qvalue ], RFC 4647 §2.1 and RFC 9110 §12.4.2.
const LANGUAGE_RANGE = /^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*[qQ]=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?))?\s*$/;

export function languageOf(header: string): Language {
  if (header === "" || header.length > MAX_ACCEPT_LANGUAGE_LENGTH) return DEFAULT_LANGUAGE;
  let best: Language = DEFAULT_LANGUAGE;
  let bestWeight = 0;
  let wildcardWeight = -1;
  const explicitWeights: Partial<Record<Language, number>> = {};
  for (const element of header.split(",")) {
    // RFC 9110 §5.6.1: a list may hold empty elements.
    if (element.trim() === "") continue;
    const match = LANGUAGE_RANGE.exec(element);
    if (!match) return DEFAULT_LANGUAGE;
    const weight = match[2] === undefined ? 1 : Number(match[2]);
    if (match[1] === "*") {
      wildcardWeight = Math.max(wildcardWeight, weight);
      continue;
    }
    const language = supportedLanguageOf(match[1]);
    if (!language) continue;
    // A language named twice (zh-CN, zh) keeps the weight of its first range.
    if (explicitWeights[language] !== undefined) continue;
    explicitWeights[language] = weight;
    if (weight > bestWeight) {
      best = language;
      bestWeight = weight;
    }
  }
  // "*" stands for every language not named: zh-CN unless it was named.
  if (explicitWeights[DEFAULT_LANGUAGE] === undefined && wildcardWeight > bestWeight) return DEFAULT_LANGUAGE;
  return bestWeight > 0 ? best : DEFAULT_LANGUAGE;
}

// zh and any zh-…: our Chinese is simplified, the closest we have for zh-TW and zh-HK too.
function supportedLanguageOf(range: string): Language | undefined {
  const primary = range.split("-")[0].toLowerCase();
  if (primary === "zh") return "zh-CN";
  if (primary === "en") return "en";
  return undefined;
}
