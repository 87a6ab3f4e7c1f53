// This checkout side by side with an earlier commit (npm run bench -- --against=<git ref>): that
// commit's hooks and migrations, taken with `git archive` and built in a temporary directory, run in
// a PocketBase beside this checkout's, and each scenario alternates between the two, A B A B. Between
// two runs on a shared machine every figure can move by half; between two builds alternating within
// one run, the ratio holds. It answers "what did this round cost or save?" against the round's start.
//
// measureAgainst measures; againstText and againstMarkdown word the figures for report.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../pocketbase.mjs";
import { scenarios } from "./scenarios.mjs";

export const AGAINST_SCENARIOS = ["nativeHealth", "hooksHealth", "jsvmFloor", "nativeRefresh", "hooksRefresh", "loginExisting"];
const THIS_CHECKOUT = "this checkout";

// run: what measure.mjs hands every part; ref: any git ref. Returns {commit, pool, rounds, durationS, rows}.
export async function measureAgainst(run, ref) {
  const { settings, log } = run;
  const commit = execFileSync("git", ["rev-parse", "--short", `${ref}^{commit}`], { cwd: projectRoot, encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "bai-bench-against-"));
  try {
    log(`against ${commit}: building its hooks`);
    execFileSync("sh", ["-c", `git archive ${commit} | tar -x -C "${dir}"`], { cwd: projectRoot });
    symlinkSync(join(projectRoot, "node_modules"), join(dir, "node_modules"));
    execFileSync(process.execPath, ["build.mjs"], { cwd: dir, stdio: "inherit" });

    const ours = await run.start();
    const theirs = await run.start(undefined, undefined, { hooksDir: join(dir, "pb_hooks"), migrationsDir: join(dir, "pb_migrations") });
    const builds = [
      { build: THIS_CHECKOUT, instance: ours },
      { build: commit, instance: theirs },
    ];
    const contexts = new Map();
    for (const { build, instance } of builds) {
      for (const key of AGAINST_SCENARIOS) contexts.set(`${build} ${key}`, await run.prepareWith(instance, scenarios[key]));
    }
    const rows = [];
    for (const connections of settings.connections) {
      log(`against ${commit} at ${connections} connections`);
      for (const scenarioKey of AGAINST_SCENARIOS) {
        const runs = builds.map(({ build, instance }) => ({ key: build, build, scenarioKey, instance, context: contexts.get(`${build} ${scenarioKey}`), connections }));
        for (const entry of runs) await run.runLoad(entry, 1); // warm-up
        const samples = await run.alternate(runs, settings, log);
        for (const { build } of runs) rows.push({ scenarioKey, label: scenarios[scenarioKey].label, build, connections, ...run.summarize(samples.get(build)) });
      }
    }
    for (const { instance } of builds) await instance.stop();
    return { commit, rounds: settings.rounds, durationS: settings.durationS, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const percent = (ours, theirs) => `${ours >= theirs ? "+" : "−"}${fmt((Math.abs(ours - theirs) / theirs) * 100, 1)} %`;

// One line per scenario and connection count: this checkout's CPU per request against the commit's.
function comparisons({ against }) {
  const lines = [];
  for (const row of against.rows.filter((candidate) => candidate.build === THIS_CHECKOUT)) {
    const theirs = against.rows.find((candidate) => candidate.build !== THIS_CHECKOUT && candidate.scenarioKey === row.scenarioKey && candidate.connections === row.connections);
    lines.push({ row, theirs, change: percent(row.cpuMsPerRequest, theirs.cpuMsPerRequest) });
  }
  return lines;
}

export function againstText(results) {
  if (!results.against) return ["Not measured in this run (`npm run bench -- --against=<git ref>`)."];
  return comparisons(results).map(
    ({ row, theirs, change }) =>
      `${row.label} at ${row.connections} conns: ${fmt(row.cpuMsPerRequest)} ms CPU against ${fmt(theirs.cpuMsPerRequest)} ms at ${results.against.commit} (${change}); ${Math.round(row.rps)} against ${Math.round(theirs.rps)} req/s`,
  );
}

export function againstMarkdown(results) {
  if (!results.against) return "Not measured in this run (`npm run bench -- --against=<git ref>`).";
  const { commit, rounds, durationS } = results.against;
  return [
    `This checkout and commit ${commit}, each with its own hooks and migrations, in two PocketBases alive at once (default --hooksPool), ` +
      `every scenario alternating between them, ${rounds} rounds of ${durationS} s. The change is this checkout's PocketBase CPU per request against the commit's.`,
    "",
    `| scenario | conns | PB CPU ms/req | at ${commit} | change | req/s | at ${commit} | errors |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...comparisons(results).map(
      ({ row, theirs, change }) =>
        `| ${row.label} | ${row.connections} | ${fmt(row.cpuMsPerRequest)} | ${fmt(theirs.cpuMsPerRequest)} | ${change} | ${fmt(row.rps, 0)} | ${fmt(theirs.rps, 0)} | ${row.errors + theirs.errors} |`,
    ),
  ].join("\n");
}
