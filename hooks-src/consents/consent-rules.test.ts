import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import type { ConsentDocument } from "./consent-config";
import { consentChanges, consentStatuses, documentsNeedingConsent, readConsentAction, readConsentItems, readConsentSource, type LedgerEntry } from "./consent-rules";

const agreement: ConsentDocument = { document: "user_agreement", title: "用户协议", version: "2", url: "https://e.com/a2" };
const privacy: ConsentDocument = { document: "privacy_policy", title: "隐私政策", version: "5", url: "https://e.com/p5" };
const documents = [agreement, privacy];
const entry = (document: string, version: string, action: LedgerEntry["action"], created: string): LedgerEntry => ({ document, version, action, created });

// Newest first, as the ledger is read.
const ledger = [
  entry("privacy_policy", "5", "withdraw", "2026-11-03 00:00:00.000Z"),
  entry("privacy_policy", "5", "agree", "2026-11-02 00:00:00.000Z"),
  entry("user_agreement", "1", "agree", "2026-11-01 00:00:00.000Z"),
];

const failureOf = (run: () => unknown): ApiFailure => {
  try {
    run();
  } catch (error) {
    return error as ApiFailure;
  }
  throw new Error("did not fail");
};

describe("consentStatuses", () => {
  it("says what stands: the latest row per document, an agreement's version or nothing after a withdrawal", () => {
    expect(consentStatuses(documents, ledger)).toEqual([
      { ...agreement, accepted_version: "1", accepted_at: "2026-11-01 00:00:00.000Z", consent_required: true },
      { ...privacy, accepted_version: null, accepted_at: null, consent_required: true },
    ]);
    expect(consentStatuses(documents, [entry("user_agreement", "2", "agree", "t"), ...ledger])[0]).toMatchObject({ accepted_version: "2", consent_required: false });
  });

  it("lists the documents needing consent as the client shows them", () => {
    expect(documentsNeedingConsent(documents, [])).toEqual(documents);
    expect(documentsNeedingConsent(documents, [entry("privacy_policy", "5", "agree", "t"), entry("user_agreement", "2", "agree", "t")])).toEqual([]);
  });
});

describe("readConsentItems", () => {
  it("takes known documents at their current version", () => {
    expect(readConsentItems([{ document: "privacy_policy", version: "5" }], documents, "agree")).toEqual([{ document: "privacy_policy", version: "5" }]);
    expect(readConsentItems([], documents, "agree")).toEqual([]);
  });

  it("lets a withdrawal leave out the version", () => {
    expect(readConsentItems([{ document: "privacy_policy" }], documents, "withdraw")).toEqual([{ document: "privacy_policy" }]);
  });

  it("refuses an old version with the current ones (409)", () => {
    const failure = failureOf(() => readConsentItems([{ document: "user_agreement", version: "1" }, { document: "privacy_policy", version: "5" }], documents, "agree"));
    expect(failure.status).toBe(409);
    expect(failure.data).toEqual({ documents: [{ document: "user_agreement", title: "用户协议", version: "2", url: "https://e.com/a2" }] });
  });

  it.each([
    ["not a list", { document: "privacy_policy", version: "5" }, "validation_invalid_type"],
    ["an item of another shape", [["privacy_policy", "5"]], "validation_invalid_type"],
    ["a version that is no string", [{ document: "privacy_policy", version: 5 }], "validation_invalid_type"],
    ["an unknown document", [{ document: "cookies", version: "1" }], "consent_document_unknown"],
    ["a document twice", [{ document: "privacy_policy", version: "5" }, { document: "privacy_policy", version: "5" }], "validation_invalid_value"],
    ["more items than documents", [{}, {}, {}], "validation_too_long"],
  ])("refuses %s (400 on consents)", (_case, value, code) => {
    const failure = failureOf(() => readConsentItems(value, documents, "agree"));
    expect(failure.status).toBe(400);
    expect(failure.data).toEqual({ consents: { code, message: expect.any(String) } });
  });
});

describe("consentChanges", () => {
  it("adds an agreement only where it changes what stands", () => {
    expect(consentChanges(ledger, [{ document: "user_agreement", version: "2" }, { document: "privacy_policy", version: "5" }], "agree")).toEqual([
      { document: "user_agreement", version: "2", action: "agree" },
      { document: "privacy_policy", version: "5", action: "agree" },
    ]);
    expect(consentChanges([entry("user_agreement", "2", "agree", "t")], [{ document: "user_agreement", version: "2" }], "agree")).toEqual([]);
  });

  it("withdraws only what stands, recording the version withdrawn", () => {
    expect(consentChanges(ledger, [{ document: "user_agreement" }, { document: "privacy_policy" }], "withdraw")).toEqual([{ document: "user_agreement", version: "1", action: "withdraw" }]);
  });
});

describe("readConsentAction and readConsentSource", () => {
  it("default to an agreement in the settings", () => {
    expect(readConsentAction(undefined)).toBe("agree");
    expect(readConsentAction("withdraw")).toBe("withdraw");
    expect(readConsentSource(undefined)).toBe("settings");
    expect(readConsentSource("prompt")).toBe("prompt");
  });

  it("refuse anything else, login included (only the login route records that)", () => {
    expect(failureOf(() => readConsentAction("revoke")).data).toEqual({ action: { code: "validation_invalid_value", message: expect.any(String) } });
    expect(failureOf(() => readConsentSource("login")).data).toEqual({ source: { code: "validation_invalid_value", message: expect.any(String) } });
  });
});
