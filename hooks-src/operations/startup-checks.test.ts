import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { judgePocketBaseVersion, warnAboutRecordSettings } from "./startup-checks";

describe("judgePocketBaseVersion", () => {
  it.each([
    ["pocketbase version 0.40.4", "supported"],
    ["pocketbase version 0.40.5\n", "supported"],
    ["pocketbase version 0.40.12", "supported"],
    ["pocketbase version 0.40.3", "unsupported"],
    ["pocketbase version 0.36.8", "unsupported"],
    ["pocketbase version 0.41.0", "unsupported"],
    ["pocketbase version 1.40.4", "unsupported"],
    ["pocketbase version (untracked)", "unknown"],
    ["", "unknown"],
  ])("%j is %s", (printed, verdict) => {
    expect(judgePocketBaseVersion(printed).verdict).toBe(verdict);
  });

  it("accepts the version the project pins and tests", () => {
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).config.pocketbaseVersion;
    expect(judgePocketBaseVersion(`pocketbase version ${pinned}`).verdict).toBe("supported");
  });

  it("names the version found and the versions needed", () => {
    expect(judgePocketBaseVersion("pocketbase version 0.36.8")).toEqual({
      verdict: "unsupported",
      message: "PocketBase 0.36.8 is not supported: these hooks need PocketBase 0.40.4 or a later 0.40.x (see DEPLOY.md).",
    });
  });
});

describe("warnAboutRecordSettings", () => {
  const warningsFor = (env: Record<string, string>) => {
    const lines: string[] = [];
    warnAboutRecordSettings((name) => env[name] ?? "", (line) => lines.push(line));
    return lines;
  };

  it("is silent about settings it understands, or that are unset", () => {
    expect(warningsFor({})).toEqual([]);
    expect(warningsFor({ AUDIT_RETENTION_DAYS: "365", RISK_CHECK: "enforce", CONSENT_ENFORCEMENT: "on", CONSENT_DOCUMENTS: '[{"document":"privacy_policy","version":"1","url":"https://e.com/p"}]' })).toEqual([]);
  });

  it("names each setting it did not understand, and consent enforced with nothing to consent to", () => {
    expect(warningsFor({ AUDIT_RETENTION_DAYS: "0", RISK_CHECK: "strict", CONSENT_ENFORCEMENT: "on" })).toEqual([
      "Audit trail: AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 3650; keeping 180",
      "Consent: CONSENT_ENFORCEMENT is on but CONSENT_DOCUMENTS names no document; nothing is enforced.",
      "Risk check: RISK_CHECK must be off, observe or enforce; using off",
    ]);
  });
});
