// Which documents users consent to, and whether consent is enforced, from the environment
// (fixed from start to stop: a new version takes a restart, like every other setting):
//   CONSENT_DOCUMENTS    JSON array of {"document", "version", "url", "title"?}, e.g.
//                        [{"document":"user_agreement","version":"2026-11-01","url":"https://…/agreement.html"},
//                         {"document":"privacy_policy","version":"2026-11-01","url":"https://…/privacy.html"}]
//                        unset: no document, nothing to consent to
//   CONSENT_ENFORCEMENT  off (default) | on: profile and avatar answer 428 until the user has
//                        agreed to the current version of every document
// An entry that is not understood is left out, and said at start-up (startup-checks.ts).

export interface ConsentDocument {
  document: string;
  title: string;
  version: string;
  url: string;
}

export interface ConsentConfig {
  documents: ConsentDocument[];
  enforced: boolean;
  problems: string[];
}

const KNOWN_TITLES: Record<string, string> = { user_agreement: "用户协议", privacy_policy: "隐私政策" };
const DOCUMENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const URL = /^https?:\/\/[^\s]{1,1000}$/;
const MAX_DOCUMENTS = 20;
const MAX_TITLE_LENGTH = 64;

export function readConsentConfig(getenv: (name: string) => string = $os.getenv): ConsentConfig {
  const problems: string[] = [];
  const enforcement = getenv("CONSENT_ENFORCEMENT").trim().toLowerCase();
  if (enforcement !== "" && enforcement !== "on" && enforcement !== "off") problems.push("CONSENT_ENFORCEMENT must be on or off; using off");
  return { documents: parseConsentDocuments(getenv("CONSENT_DOCUMENTS"), problems), enforced: enforcement === "on", problems };
}

export function parseConsentDocuments(raw: string, problems: string[]): ConsentDocument[] {
  if (raw.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push("CONSENT_DOCUMENTS is not JSON; no document is asked for");
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push("CONSENT_DOCUMENTS must be a JSON array of {document, version, url, title?}; no document is asked for");
    return [];
  }
  const documents: ConsentDocument[] = [];
  for (const [index, entry] of parsed.entries()) {
    const problem = problemOf(entry, documents);
    if (problem) problems.push(`CONSENT_DOCUMENTS[${index}] ${problem}; it is left out`);
    else if (documents.length >= MAX_DOCUMENTS) problems.push(`CONSENT_DOCUMENTS holds more than ${MAX_DOCUMENTS} documents; the rest are left out`);
    else documents.push(documentOf(entry as Record<string, string>));
  }
  return documents;
}

function problemOf(entry: unknown, earlier: ConsentDocument[]): string | null {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return "is not an object";
  const { document, version, url, title } = entry as Record<string, unknown>;
  if (typeof document !== "string" || !DOCUMENT_NAME.test(document)) return "needs a document name of a-z, 0-9 and _ (e.g. user_agreement)";
  if (earlier.some((known) => known.document === document)) return `repeats the document ${document}`;
  if (typeof version !== "string" || !VERSION.test(version)) return "needs a version of A-Z, a-z, 0-9, . _ - (e.g. 2026-11-01)";
  if (typeof url !== "string" || !URL.test(url)) return "needs an http(s) url";
  if (title !== undefined && (typeof title !== "string" || title.trim() === "" || title.length > MAX_TITLE_LENGTH)) return `has a title that is not 1-${MAX_TITLE_LENGTH} characters`;
  return null;
}

function documentOf(entry: Record<string, string>): ConsentDocument {
  return { document: entry.document, title: entry.title?.trim() || KNOWN_TITLES[entry.document] || entry.document, version: entry.version, url: entry.url };
}

// The environment is fixed while PocketBase runs, so each VM reads it once.
let config: ConsentConfig | undefined;

export function consentConfig(): ConsentConfig {
  return (config ??= readConsentConfig());
}
