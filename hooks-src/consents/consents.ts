// The consent use cases: where a user stands, agreeing or withdrawing, what a login records and
// answers, and the gate of the profile and avatar routes when consent is enforced.
import { consentConfig, type ConsentDocument } from "./consent-config";
import { consentFailures } from "./consent-errors";
import { changeConsents, consentRowsOf, writeConsentChanges, type ConsentContext } from "./consent-ledger";
import {
  consentChanges,
  consentStatuses,
  documentsNeedingConsent,
  readConsentAction,
  readConsentItems,
  readConsentSource,
  type ConsentItem,
  type ConsentStatus,
} from "./consent-rules";
import type { JsonObject } from "../validation";

export interface ConsentOverview {
  enforced: boolean;
  documents: ConsentStatus[];
}

export function consentOverviewOf(user: core.Record): ConsentOverview {
  const { documents, enforced } = consentConfig();
  return { enforced, documents: documents.length === 0 ? [] : consentStatuses(documents, consentRowsOf($app, user.id)) };
}

// POST /api/wechat/consents: {action?, consents, source?}, all checked before anything is written.
export function changeConsentsOnRequest(user: core.Record, body: JsonObject, ip: string): ConsentOverview {
  const action = readConsentAction(body.action);
  const source = readConsentSource(body.source);
  const items = readConsentItems(body.consents, consentConfig().documents, action);
  changeConsents(user, items, action, { source, ip });
  return consentOverviewOf(user);
}

// The documents whose current version the user has not agreed to: no read at all when no
// document is configured.
export function documentsNeedingConsentOf(user: core.Record): ConsentDocument[] {
  const { documents } = consentConfig();
  return documents.length === 0 ? [] : documentsNeedingConsent(documents, consentRowsOf($app, user.id));
}

// With CONSENT_ENFORCEMENT=on, the profile and avatar routes refuse (428) a user who has not
// agreed to the current version of every document.
export function requireCurrentConsents(user: core.Record): void {
  if (!consentConfig().enforced) return;
  const needed = documentsNeedingConsentOf(user);
  if (needed.length > 0) throw consentFailures.required(needed);
}

// A login's optional `consents`: checked with the rest of the body, before WeChat is called.
export function readLoginConsents(body: JsonObject): ConsentItem[] {
  if (body.consents === undefined || body.consents === null) return [];
  return readConsentItems(body.consents, consentConfig().documents, "agree");
}

// In the registration's transaction: the new user has no rows yet.
export function recordRegistrationConsents(txApp: CoreApp, user: core.Record, items: readonly ConsentItem[], context: ConsentContext): void {
  writeConsentChanges(txApp, user, consentChanges([], items, "agree"), context);
}

// An existing user's login: a transaction of its own, and only when the items agree to something new.
export function recordLoginConsents(user: core.Record, items: readonly ConsentItem[], context: ConsentContext): void {
  changeConsents(user, items, "agree", context);
}
