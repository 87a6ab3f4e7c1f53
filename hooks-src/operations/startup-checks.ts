// Checks run once PocketBase has bootstrapped (before our migrations, which `serve` runs after):
// loud lines for ops about a setup that half works, leaks data, or runs on a PocketBase we
// never tested.
import { readWechatConfig } from "../config";
import { readContentSecurityConfig } from "../content-security/config";
import { readAuditRetentionDays } from "../audit/audit-events";
import { readConsentConfig } from "../consents/consent-config";
import { readRiskConfig } from "../risk/risk-config";
import { logWarning } from "../log";
import { readPolicyFromEnvironment } from "../registration/policy";
import { readWechatApps } from "../wechat/apps";

// The PocketBase the suite runs (package.json's pocketbaseVersion) and the patch releases
// after it. Before 1.0 PocketBase changes its JS API between minor versions.
export const SUPPORTED_POCKETBASE = { major: 0, minor: 40, fromPatch: 4 };

export function warnIfWechatNotConfigured(): void {
  if (!readWechatConfig()) {
    logWarning("WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET. /api/wechat/login answers 500 until then.");
    console.warn("[bai] WeChat is not configured: set WECHAT_APPID and WECHAT_SECRET.");
  }
}

// WECHAT_APPS entries that can't be used are left out, loudly (the problems never hold a secret).
export function warnAboutWechatApps(): void {
  for (const problem of readWechatApps().problems) {
    logWarning(`WeChat apps: ${problem}`);
    console.warn(`[bai] WARNING ${problem}`);
  }
}

const DEV_MODE_WARNING =
  "DEV MODE IS ON: PocketBase prints every SQL statement with its data (phone numbers included) to the console. " +
  "Start it with --dev=false: it turns dev mode on by itself when its binary sits under the temp or cache directory.";

export function warnIfDevMode(): void {
  if (!$app.isDev()) return;
  logWarning(DEV_MODE_WARNING);
  console.warn(`[bai] WARNING ${DEV_MODE_WARNING}`);
}

export type VersionVerdict = { verdict: "supported" } | { verdict: "unsupported" | "unknown"; message: string };

// `printed` is what `pocketbase --version` prints, e.g. "pocketbase version 0.40.4". A build
// without a version stamp (a Go program of the host's embedding PocketBase, `go run`)
// prints "(untracked)": it may be fine, so that only warns.
export function judgePocketBaseVersion(printed: string): VersionVerdict {
  const { major, minor, fromPatch } = SUPPORTED_POCKETBASE;
  const supported = `PocketBase ${major}.${minor}.${fromPatch} or a later ${major}.${minor}.x`;
  const found = /version v?(\d+)\.(\d+)\.(\d+)/.exec(printed);
  if (!found) return { verdict: "unknown", message: `cannot tell which PocketBase this is ("${printed.trim()}"); these hooks are tested on ${supported} (see DEPLOY.md).` };
  const [foundMajor, foundMinor, foundPatch] = found.slice(1).map(Number);
  if (foundMajor === major && foundMinor === minor && foundPatch >= fromPatch) return { verdict: "supported" };
  return { verdict: "unsupported", message: `PocketBase ${found.slice(1).join(".")} is not supported: these hooks need ${supported} (see DEPLOY.md).` };
}

// The JS API does not expose PocketBase's version, so ask the running binary itself.
export function refuseUnsupportedPocketBaseVersion(): void {
  const judged = judgePocketBaseVersion(toString($os.cmd($os.args[0], "--version").output()));
  if (judged.verdict === "unsupported") throw new Error(judged.message);
  if (judged.verdict === "unknown") {
    logWarning(judged.message);
    console.warn(`[bai] WARNING ${judged.message}`);
  }
}

export const AVATARS_UNCHECKED_WARNING =
  "Avatar uploads are NOT checked by WeChat: WECHAT_AVATAR_CHECK is on (the default) but WECHAT_PUSH_TOKEN is not set, " +
  "so nothing could receive WeChat's verdicts and no upload is submitted to mediaCheckAsync (each stays 未检测). " +
  "Set up the message push (WECHAT_PUSH_TOKEN, WECHAT_PUSH_AES_KEY; DEPLOY.md), or set WECHAT_AVATAR_CHECK=off to say so.";

// Settings that were set but not understood, and avatar checks that could never report back
// (the default settings: uploads would go unchecked without a word).
export function warnAboutContentSecuritySettings(): void {
  const config = readContentSecurityConfig();
  const problems = config.problems.map((problem) => `Content security: ${problem}`);
  if (config.avatarCheck && !config.push) problems.push(AVATARS_UNCHECKED_WARNING);
  for (const problem of problems) {
    logWarning(problem);
    console.warn(`[bai] WARNING ${problem}`);
  }
}

// The audit trail's retention, the consent documents and the risk check: what was set but not
// understood (the default applies instead), and consent enforced with nothing to consent to.
export function warnAboutRecordSettings(getenv: (name: string) => string = $os.getenv, warn: (line: string) => void = logWarning): void {
  const retention = readAuditRetentionDays(getenv);
  if (retention.problem) warn(`Audit trail: ${retention.problem}`);
  const consent = readConsentConfig(getenv);
  for (const problem of consent.problems) warn(`Consent: ${problem}`);
  if (consent.enforced && consent.documents.length === 0) warn("Consent: CONSENT_ENFORCEMENT is on but CONSENT_DOCUMENTS names no document; nothing is enforced.");
  for (const problem of readRiskConfig(getenv).problems) warn(`Risk check: ${problem}`);
}

// A REGISTRATION_POLICY we don't know closes registration (registration/policy.ts): say so.
export function warnAboutRegistrationPolicy(): void {
  const { problem } = readPolicyFromEnvironment();
  if (!problem) return;
  logWarning(`Registration: ${problem}`);
  console.warn(`[bai] WARNING ${problem}`);
}
