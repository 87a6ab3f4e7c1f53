// Pure rules of the consent ledger: what a user's rows mean, which documents need a fresh
// consent, which items a request may hold, and which rows an agreement or withdrawal adds.
// No PocketBase access here.
import { failures, type FieldProblem } from "../errors";
import type { ConsentDocument } from "./consent-config";
import { consentFailures } from "./consent-errors";

export type ConsentAction = "agree" | "withdraw";
export type ConsentSource = "login" | "settings" | "prompt";
export const REQUEST_SOURCES: readonly ConsentSource[] = ["settings", "prompt"];

// One row of the ledger, as read back.
export interface LedgerEntry {
  document: string;
  version: string;
  action: ConsentAction;
  created: string;
}

export interface ConsentItem {
  document: string;
  // Absent only in a withdrawal, which withdraws whatever version stands.
  version?: string;
}

export interface ConsentStatus extends ConsentDocument {
  accepted_version: string | null;
  accepted_at: string | null;
  consent_required: boolean;
}

// The row to add: the document, the version agreed to or withdrawn, and the action.
export interface ConsentChange {
  document: string;
  version: string;
  action: ConsentAction;
}

// For each document, the version the user's latest row agrees to, or nothing if they never
// agreed or withdrew since. `entries` is newest first.
export function standingConsents(entries: readonly LedgerEntry[]): Map<string, { version: string; at: string } | null> {
  const standing = new Map<string, { version: string; at: string } | null>();
  for (const entry of entries) {
    if (standing.has(entry.document)) continue;
    standing.set(entry.document, entry.action === "agree" ? { version: entry.version, at: entry.created } : null);
  }
  return standing;
}

export function consentStatuses(documents: readonly ConsentDocument[], entries: readonly LedgerEntry[]): ConsentStatus[] {
  const standing = standingConsents(entries);
  return documents.map((document) => {
    const accepted = standing.get(document.document) ?? null;
    return {
      ...document,
      accepted_version: accepted?.version ?? null,
      accepted_at: accepted?.at ?? null,
      consent_required: accepted?.version !== document.version,
    };
  });
}

// The documents whose current version the user has not agreed to.
export function documentsNeedingConsent(documents: readonly ConsentDocument[], entries: readonly LedgerEntry[]): ConsentDocument[] {
  return consentStatuses(documents, entries)
    .filter((status) => status.consent_required)
    .map(({ document, title, version, url }) => ({ document, title, version, url }));
}

const problem = {
  notAList: (): FieldProblem => ({ code: "validation_invalid_type", message: "必须是数组,每项为 {document, version}" }),
  tooMany: (max: number): FieldProblem => ({ code: "validation_too_long", message: `最多 ${max} 项` }),
  badItem: (index: number): FieldProblem => ({ code: "validation_invalid_type", message: `第 ${index + 1} 项必须是 {document, version},均为字符串` }),
  unknown: (index: number): FieldProblem => ({ code: "consent_document_unknown", message: `第 ${index + 1} 项的协议不存在` }),
  repeated: (index: number): FieldProblem => ({ code: "validation_invalid_value", message: `第 ${index + 1} 项的协议重复` }),
};

// The items of a request (`consents` of the consent route or of a login), checked against the
// configured documents before anything is written or WeChat is called: a list of objects with a
// known document, each once, and a version string (which a withdrawal may leave out). An
// agreement to a version that is not the current one is refused with the current ones (409),
// so that the client shows the new text. Field problems name the field `consents`.
export function readConsentItems(value: unknown, documents: readonly ConsentDocument[], action: ConsentAction): ConsentItem[] {
  const invalid = (found: FieldProblem) => failures.invalidFields({ consents: found });
  if (!Array.isArray(value)) throw invalid(problem.notAList());
  const max = Math.max(documents.length, 1);
  if (value.length > max) throw invalid(problem.tooMany(max));
  const items: ConsentItem[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalid(problem.badItem(index));
    const { document, version } = item as Record<string, unknown>;
    const versionOptional = action === "withdraw" && (version === undefined || version === null);
    if (typeof document !== "string" || (!versionOptional && (typeof version !== "string" || version === "" || version.length > 64))) {
      throw invalid(problem.badItem(index));
    }
    if (!documents.some((known) => known.document === document)) throw invalid(problem.unknown(index));
    if (items.some((earlier) => earlier.document === document)) throw invalid(problem.repeated(index));
    items.push(versionOptional ? { document } : { document, version: version as string });
  }
  if (action === "agree") {
    const stale = documents.filter((known) => items.some((item) => item.document === known.document && item.version !== known.version));
    if (stale.length > 0) throw consentFailures.staleVersion(stale);
  }
  return items;
}

// The rows an agreement or a withdrawal adds: none for an agreement to the version that already
// stands, nor for a withdrawal of a consent that does not stand. A withdrawal records the version
// it withdraws.
export function consentChanges(entries: readonly LedgerEntry[], items: readonly ConsentItem[], action: ConsentAction): ConsentChange[] {
  const standing = standingConsents(entries);
  const changes: ConsentChange[] = [];
  for (const item of items) {
    const accepted = standing.get(item.document) ?? null;
    if (action === "agree" && accepted?.version !== item.version) changes.push({ document: item.document, version: item.version!, action });
    if (action === "withdraw" && accepted) changes.push({ document: item.document, version: accepted.version, action });
  }
  return changes;
}

export function readConsentAction(value: unknown): ConsentAction {
  if (value === undefined || value === null || value === "agree") return "agree";
  if (value === "withdraw") return "withdraw";
  throw failures.invalidFields({ action: { code: "validation_invalid_value", message: "只能是 agree 或 withdraw" } });
}

export function readConsentSource(value: unknown): ConsentSource {
  if (value === undefined || value === null) return "settings";
  if (typeof value === "string" && (REQUEST_SOURCES as readonly string[]).includes(value)) return value as ConsentSource;
  throw failures.invalidFields({ source: { code: "validation_invalid_value", message: `只能是 ${REQUEST_SOURCES.join(" 或 ")}` } });
}
