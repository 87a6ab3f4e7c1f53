import { describe, expect, it } from "vitest";
import { readConsentConfig } from "./consent-config";

const env = (values: Record<string, string>) => (name: string) => values[name] ?? "";
const agreement = { document: "user_agreement", version: "2026-11-01", url: "https://bai.example.com/agreement.html" };
const privacy = { document: "privacy_policy", version: "v2.1", url: "https://bai.example.com/privacy.html" };

describe("readConsentConfig", () => {
  it("asks for nothing and enforces nothing by default", () => {
    expect(readConsentConfig(env({}))).toEqual({ documents: [], enforced: false, problems: [] });
  });

  it("reads the documents, titling the known ones in Chinese", () => {
    const config = readConsentConfig(env({ CONSENT_DOCUMENTS: JSON.stringify([agreement, privacy, { document: "sms_terms", version: "1", url: "http://e.com/s", title: "短信服务条款" }]), CONSENT_ENFORCEMENT: "on" }));
    expect(config).toEqual({
      documents: [
        { ...agreement, title: "用户协议" },
        { ...privacy, title: "隐私政策" },
        { document: "sms_terms", version: "1", url: "http://e.com/s", title: "短信服务条款" },
      ],
      enforced: true,
      problems: [],
    });
  });

  it("leaves out what it cannot use, and says why", () => {
    const config = readConsentConfig(
      env({
        CONSENT_DOCUMENTS: JSON.stringify([agreement, { ...agreement }, { document: "Privacy Policy", version: "1", url: "https://e.com" }, { ...privacy, version: "" }, { ...privacy, url: "ftp://e.com/p" }, "privacy_policy"]),
        CONSENT_ENFORCEMENT: "yes",
      }),
    );
    expect(config.documents.map((document) => document.document)).toEqual(["user_agreement"]);
    expect(config.enforced).toBe(false);
    expect(config.problems).toEqual([
      "CONSENT_ENFORCEMENT must be on or off; using off",
      "CONSENT_DOCUMENTS[1] repeats the document user_agreement; it is left out",
      "CONSENT_DOCUMENTS[2] needs a document name of a-z, 0-9 and _ (e.g. user_agreement); it is left out",
      "CONSENT_DOCUMENTS[3] needs a version of A-Z, a-z, 0-9, . _ - (e.g. 2026-11-01); it is left out",
      "CONSENT_DOCUMENTS[4] needs an http(s) url; it is left out",
      "CONSENT_DOCUMENTS[5] is not an object; it is left out",
    ]);
    expect(readConsentConfig(env({ CONSENT_DOCUMENTS: "{not json" })).problems).toEqual(["CONSENT_DOCUMENTS is not JSON; no document is asked for"]);
    expect(readConsentConfig(env({ CONSENT_DOCUMENTS: JSON.stringify(agreement) })).documents).toEqual([]);
  });
});
