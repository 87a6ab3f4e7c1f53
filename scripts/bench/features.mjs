// What each feature costs per request (npm run bench, or --only=features): PocketBases that
// differ in exactly one feature, started side by side from copies of the built hooks in which
// that one feature is cut out, the same scenarios run against each, alternating A B C … then
// C B A …, so that every variant sees the same machine. The cost of a feature on a route is the
// full build's PocketBase CPU per request less the variant's, as a share of the full build's.
//
// A cut is a text replacement in the copy of the built bundle (or of the registration file);
// one that finds nothing throws, so a variant can never silently be the full build again.
// The instances all run with FEATURES_POOL pooled VMs, more than the connections, so that no
// request pays for a throwaway VM and the figures are the features' own cost.
//
// measureFeatures measures; featuresText and featuresMarkdown word the figures for report.mjs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleFiles } from "../bundle-options.mjs";
import { scenarios } from "./scenarios.mjs";

const WHOLE_BUNDLE = "bai_wechat_auth.js";
const HOT_BUNDLE = "bai_wechat_auth_hot.js";
const BUNDLES = bundleFiles();
const REGISTRATION = "bai_wechat_auth.pb.js";
export const FEATURES_POOL = 50;
export const FEATURES_CONNECTIONS = 16;
// A feature that costs more than this on login or refresh needs a reason in writing (issue 12).
export const COST_LIMIT_PERCENT = 5;
const LIMITED_SCENARIOS = ["loginExisting", "hooksRefresh", "nativeRefresh"];

// A cut made in each bundle (or in those named that hold the code): the hot and lean routes run their
// own bundle's copy of the code.
const inEveryBundle = (cut, files = BUNDLES) => files.map((file) => ({ file, ...cut }));
// Empties a function of the bundles: its body returns at once. esbuild may add a digit to a name it
// has seen twice (audit2); two matches, or none, throw in variantHooks.
const emptied = (name, files) => inEveryBundle({ pattern: new RegExp(`^function ${name}\\d*\\([^)]*\\)\\s*\\{`, "m"), replacement: "$& return;" }, files);

// full: the hooks as built. A variant names the one feature it lacks, how it is cut out, the
// scenarios it runs (those the feature touches), and why the feature is worth its cost.
export const FEATURE_VARIANTS = {
  full: {
    label: "all features (as built)",
    scenarios: ["loginExisting", "hooksRefresh", "profile", "nativeRefresh", "nativeOwnRecord", "nativeHealth", "nativeAuthMethods"],
    env: { WECHAT_NICKNAME_CHECK: "on" } },
  withoutRevocation: {
    feature: "the dead-token check",
    label: "without the dead-token check",
    cuts: [...emptied("forgetRevokedAuth"), { file: REGISTRATION, pattern: /^routerUse\(.*[Rr]evo.*\n/m, replacement: "" }],
    scenarios: ["loginExisting", "hooksRefresh", "profile", "nativeRefresh", "nativeOwnRecord", "nativeHealth", "nativeAuthMethods"],
    env: { WECHAT_NICKNAME_CHECK: "on" },
    why:
      "a dead or logged-out token must get 401 on every route, PocketBase's own included, in every spelling ([security.md, Dead tokens](security.md#dead-tokens-get-401-everywhere)), so the check runs in a middleware on every request that carries a token",
  },
  withoutDistinctTokens: {
    feature: "a token of its own (jti)",
    label: "without a jti in every token",
    cuts: [
      { file: REGISTRATION, pattern: /^onRecordAuthRequest\(.*\n/m, replacement: "" },
      ...inEveryBundle({ pattern: /^\s*jti: newJti\(\)\n/m, replacement: "" }),
    ],
    scenarios: ["loginExisting", "hooksRefresh", "nativeRefresh"],
    env: { WECHAT_NICKNAME_CHECK: "on" },
    why:
      "two logins of one user in the same second must not share a token, or a `current` logout ends the other device's session ([security.md, Logout](security.md#logout)); our routes sign their token with one at once; PocketBase's own (auth-refresh, impersonation) get theirs in onRecordAuthRequest, one more pooled VM per token",
  },
  withoutAudit: {
    feature: "audit entries",
    label: "without audit entries",
    cuts: [...emptied("audit", [WHOLE_BUNDLE, HOT_BUNDLE]), ...emptied("auditRequest")],
    scenarios: ["loginExisting", "hooksRefresh", "profile"],
    env: { WECHAT_NICKNAME_CHECK: "on" },
    why:
      "who signed in or refreshed, from where and when, is the account's audit trail, kept 180 days in an append-only collection ([security.md, Audit trail](security.md#audit-trail)); login and refresh events are written in batches of 50 (each pooled VM numbers its own, so that no request waits on another for a number), so no request of theirs waits for a write of its own, and their row replaces PocketBase's request log line",
  },
  nicknameCheckOff: {
    feature: "the nickname check",
    label: "WECHAT_NICKNAME_CHECK=off",
    cuts: [],
    scenarios: ["profile"],
    env: { WECHAT_NICKNAME_CHECK: "off" },
    why: "WeChat requires user-generated text to pass msgSecCheck; it runs on profile updates only",
  },
};

// The hook files that replace the built ones in a variant's hooks dir (name → source).
export function variantHooks(hooksDir, variant) {
  const files = {};
  for (const { file, pattern, replacement } of variant.cuts ?? []) {
    const source = files[file] ?? readFileSync(join(hooksDir, file), "utf8");
    const matches = source.match(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g")) ?? [];
    if (matches.length !== 1) throw new Error(`cutting ${variant.feature} out of ${file}: ${pattern} matches ${matches.length} times, not once`);
    files[file] = source.replace(pattern, replacement);
  }
  return files;
}

// run: what measure.mjs hands every part. Returns {pool, connections, durationS, rounds, variants, rows, costs}.
export async function measureFeatures(run) {
  const { settings, log, start, hooksDir } = run;
  const durationS = settings.featureDurationS;
  const rounds = settings.featureRounds;
  log(`what each feature costs: ${Object.keys(FEATURE_VARIANTS).length} PocketBases, ${FEATURES_CONNECTIONS} connections, --hooksPool=${FEATURES_POOL}, ${rounds} rounds of ${durationS} s`);
  const instances = {};
  for (const [key, variant] of Object.entries(FEATURE_VARIANTS)) {
    instances[key] = await start(FEATURES_POOL, variantHooks(hooksDir, variant), { env: variant.env });
  }
  await checkRevocationCut(instances);

  const rows = [];
  for (const scenarioKey of Object.keys(scenarios).filter((key) => FEATURE_VARIANTS.full.scenarios.includes(key))) {
    const runs = [];
    for (const [key, variant] of Object.entries(FEATURE_VARIANTS)) {
      if (!variant.scenarios.includes(scenarioKey)) continue;
      const context = await run.prepareWith(instances[key], scenarios[scenarioKey]);
      runs.push({ key, variant: key, scenarioKey, instance: instances[key], context, connections: FEATURES_CONNECTIONS, pool: FEATURES_POOL });
    }
    for (const entry of runs) await run.runLoad(entry, 1); // warm-up
    const samples = new Map(runs.map(({ key }) => [key, []]));
    for (let round = 0; round < rounds; round++) {
      for (const entry of round % 2 === 0 ? runs : [...runs].reverse()) samples.get(entry.key).push(await run.runLoad(entry, durationS));
    }
    for (const entry of runs) {
      const own = samples.get(entry.key);
      const summary = run.summarize(own);
      rows.push({ scenarioKey, label: scenarios[scenarioKey].label, variant: entry.variant, ...summary, cpuMsByRound: own.map((sample) => sample.cpuMs / sample.requests) });
      log(`  ${scenarios[scenarioKey].label.padEnd(30)} ${FEATURE_VARIANTS[entry.variant].label.padEnd(30)} ${summary.cpuMsPerRequest.toFixed(3)} ms CPU, ${Math.round(summary.rps)} req/s`);
    }
  }
  for (const instance of Object.values(instances)) {
    await instance.stop();
    instance.remove();
  }
  return { pool: FEATURES_POOL, connections: FEATURES_CONNECTIONS, durationS, rounds, rows, costs: featureCosts(rows) };
}

// A token logged out on the full build is refused there and still accepted without the check:
// the cut took the check out of our routes and out of PocketBase's own.
async function checkRevocationCut(instances) {
  for (const [key, refusedExpected] of [["full", true], ["withoutRevocation", false]]) {
    const { url } = instances[key];
    const login = await fetch(`${url}/api/wechat/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ users_wx_code: `u-benchfeaturecheck-${key}` }) });
    const { token } = await login.json(); // WeChat codes are single-use: one per instance
    if (!login.ok || !token) throw new Error(`login on the ${key} instance answered ${login.status}`);
    const logout = await fetch(`${url}/api/wechat/logout`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ scope: "current" }) });
    if (!logout.ok) throw new Error(`logout on the ${key} instance answered ${logout.status}`);
    const ours = await fetch(`${url}/api/wechat/refresh-token`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const native = await fetch(`${url}/api/collections/tbl_auth_users/auth-refresh`, { method: "POST", headers: { authorization: token } });
    for (const [route, response] of [["refresh-token", ours], ["auth-refresh", native]]) {
      if ((response.status === 401) !== refusedExpected) throw new Error(`${route} with a logged-out token on the ${key} instance answered ${response.status}`);
    }
  }
}

// Per scenario and feature: the full build's CPU per request against the variant's, overall and round by round.
function featureCosts(rows) {
  const costs = [];
  for (const full of rows.filter((row) => row.variant === "full")) {
    for (const without of rows.filter((row) => row.scenarioKey === full.scenarioKey && row.variant !== "full")) {
      const percentOf = (withMs, withoutMs) => ((withMs - withoutMs) / withMs) * 100;
      const byRound = full.cpuMsByRound.map((withMs, round) => percentOf(withMs, without.cpuMsByRound[round]));
      const percent = percentOf(full.cpuMsPerRequest, without.cpuMsPerRequest);
      costs.push({
        scenarioKey: full.scenarioKey,
        label: full.label,
        variant: without.variant,
        feature: FEATURE_VARIANTS[without.variant].feature,
        cpuMsWith: full.cpuMsPerRequest,
        cpuMsWithout: without.cpuMsPerRequest,
        costMs: full.cpuMsPerRequest - without.cpuMsPerRequest,
        percent,
        percentByRound: byRound,
        rpsWith: full.rps,
        rpsWithout: without.rps,
        errors: full.errors + without.errors,
        overLimit: LIMITED_SCENARIOS.includes(full.scenarioKey) && percent > COST_LIMIT_PERCENT,
      });
    }
  }
  return costs;
}

// ---- words --------------------------------------------------------------------------------------

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const signed = (value, digits = 1) => (value > 0 ? "+" : "") + fmt(value, digits);

export function featuresText({ features }) {
  if (!features) return ["Feature costs not measured in this run (`npm run bench -- --only=features`)."];
  return features.costs.map(
    (cost) =>
      `${cost.label}, ${cost.feature}: CPU ${fmt(cost.cpuMsWith, 3)} ms with, ${fmt(cost.cpuMsWithout, 3)} ms without: ` +
      `${signed(cost.percent)} % (rounds ${roundRange(cost)})${cost.overLimit ? ` ⚠ over ${COST_LIMIT_PERCENT} %` : ""}`,
  );
}

function roundRange({ percentByRound }) {
  return `${signed(Math.min(...percentByRound))} … ${signed(Math.max(...percentByRound))} %`;
}

export function featuresMarkdown({ features }) {
  if (!features) return "Not measured in this run (`npm run bench -- --only=features`).";
  const variants = Object.entries(FEATURE_VARIANTS).filter(([key]) => key !== "full");
  const lines = [
    `PocketBases that differ in exactly one feature, all alive at once, each from a copy of the built hooks with that feature cut out: ` +
      variants.map(([, variant]) => `${variant.label} (${variant.cuts.length > 0 ? "its function in the bundle returns at once" : "an environment setting"})`).join("; ") +
      `. Every route ran against the full build and each variant in turn, A B C … then C B A …, ${features.rounds} rounds of ${features.durationS} s ` +
      `at ${features.connections} connections, --hooksPool=${features.pool} (no request waits for a throwaway VM). ` +
      "The cost is the full build's PocketBase CPU per request less the variant's, as a share of the full build's; " +
      "the rounds' range shows how far one round moves it. Native auth-refresh and health pay the revocation check as a global middleware; our routes make it themselves. " +
      "The nickname check also adds a WeChat round trip (msgSecCheck) to a profile update's latency; the simulator answers at once, and its CPU is not PocketBase's.",
    "",
    "| route | feature | CPU ms/req with | without | cost ms | cost | rounds | req/s with | without | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...features.costs.map(
      (cost) =>
        `| ${cost.label} | ${cost.feature} | ${fmt(cost.cpuMsWith, 3)} | ${fmt(cost.cpuMsWithout, 3)} | ${signed(cost.costMs, 3)} | ` +
        `${signed(cost.percent)} %${cost.overLimit ? " ⚠" : ""} | ${roundRange(cost)} | ${fmt(cost.rpsWith, 0)} | ${fmt(cost.rpsWithout, 0)} | ${cost.errors} |`,
    ),
  ];
  const over = [...new Set(features.costs.filter((cost) => cost.overLimit).map((cost) => cost.variant))];
  lines.push(
    "",
    over.length === 0
      ? `No feature costs more than ${COST_LIMIT_PERCENT} % on login or refresh in this run.`
      : `Over ${COST_LIMIT_PERCENT} % on login or refresh (⚠), and why it is worth it:`,
    ...over.map((key) => `- ${FEATURE_VARIANTS[key].feature}: ${FEATURE_VARIANTS[key].why}.`),
  );
  return lines.join("\n");
}
