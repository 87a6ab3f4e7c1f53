// The reporting half of `npm run bench`: figures (the JSON measure.mjs writes) → the text it
// prints, docs/benchmarks.md (table, ratios against the goals, the --hooksPool recommendation)
// and docs/benchmarks.svg (chart). Nothing here measures.
//
//   node scripts/bench/report.mjs [results.json]    rewrites docs/ from docs/benchmarks.json or the file named
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../pocketbase.mjs";
import { renderCapacity } from "./capacity.mjs";
import { featuresMarkdown, featuresText } from "./features.mjs";
import { pushMarkdown, pushText } from "./push.mjs";
import { againstMarkdown, againstText } from "./against.mjs";
import { floorLines, growthMarkdown, instructionsMarkdown, loadStatement, tlsMarkdown } from "./report-extra.mjs";

const DOCS_DIR = join(projectRoot, "docs");
export const RESULTS_IN_DOCS = join(DOCS_DIR, "benchmarks.json");

const GOALS = [
  { name: "hooks health ≥ 0.7× native health", ours: "hooksHealth", native: "nativeHealth", atLeast: 0.7 },
  { name: "refresh-token ≥ 0.8× native auth-refresh", ours: "hooksRefresh", native: "nativeRefresh", atLeast: 0.8 },
  { name: "login (existing user) ≥ 0.5× native auth-refresh", ours: "loginExisting", native: "nativeRefresh", atLeast: 0.5 },
  // Not a goal: what any JS route reaches, the bound under the health goal.
  { name: "bound: an empty JS route against native health", ours: "jsvmFloor", native: "nativeHealth", atLeast: 0.7, bound: true },
];

// Prints the text report, and with writeDocs rewrites docs/benchmarks.md and docs/benchmarks.svg.
export function report(results, { writeDocs }) {
  console.log(renderText(results));
  if (!writeDocs) return;
  mkdirSync(DOCS_DIR, { recursive: true });
  writeFileSync(join(DOCS_DIR, "benchmarks.md"), renderMarkdown(results));
  writeFileSync(join(DOCS_DIR, "benchmarks.svg"), renderSvg(results));
  writeFileSync(join(DOCS_DIR, "capacity.md"), renderCapacity(results));
  console.error("[bench] wrote docs/benchmarks.md, docs/benchmarks.svg and docs/capacity.md");
}

const allRows = (results) => [...results.pairRows, ...(results.freshVm ? [results.freshVm.row] : []), ...results.poolRows];

// One column per connection count and pool size the pairs ran at.
function levelsOf(rows) {
  const seen = new Map(rows.map((row) => [`${row.connections}/${row.pool}`, { connections: row.connections, pool: row.pool }]));
  return [...seen.values()];
}

const levelName = ({ connections, pool }, defaultPool) => `${connections} conn${connections === 1 ? "" : "s"}${pool === defaultPool ? "" : `, pool ${pool}`}`;

function ratiosAgainstGoals(pairRows) {
  const rpsOf = (key, { connections, pool }) => pairRows.find((row) => row.key === key && row.connections === connections && row.pool === pool)?.rps;
  return GOALS.map((goal) => ({
    ...goal,
    byLevel: levelsOf(pairRows).map((level) => {
      const ratio = rpsOf(goal.ours, level) / rpsOf(goal.native, level);
      return { level, ratio, met: ratio >= goal.atLeast };
    }),
  }));
}

function errorsAt(pairRows, connections) {
  const atLevel = pairRows.filter((row) => row.connections === connections);
  return { connections, errors: atLevel.reduce((sum, row) => sum + row.errors, 0), failing: atLevel.filter((row) => row.errors > 0) };
}

function recommendationText({ poolRows, pairRows, recommendedPool: pool, settings }) {
  if (poolRows.length === 0) return "Pool sizes not measured in this run.";
  const chosen = poolRows.find((row) => row.pool === pool);
  const baseline = poolRows.find((row) => row.pool === settings.defaultPool);
  const describe = (row) => `${fmt(row.rps, 0)} req/s, p99 ${fmt(row.p99Ms, 0)} ms, ${row.errors} errors, peak RSS ${fmt(row.peakRssMiB, 0)} MiB`;
  const others = poolRows.filter((row) => row !== chosen && row !== baseline).map((row) => `${row.pool}: ${describe(row)}`);
  const bySize = [...poolRows].sort((a, b) => a.pool - b.pool);
  const [smallest, largest] = [bySize[0], bySize[bySize.length - 1]];
  const mibPerVm = (largest.idleRssMiB - smallest.idleRssMiB) / (largest.pool - smallest.pool);
  const vmsPerRequest = pool / settings.latencyConnections;
  const sentences = [
    `Recommendation: run PocketBase with --hooksPool=${pool}, ${fmt(vmsPerRequest, 1)} pooled VMs per login in flight in this test.`,
    `Logging in an existing user at ${settings.latencyConnections} connections while WeChat takes ${settings.latencyMs} ms to answer, ` +
      `it gave ${describe(chosen)}` +
      (baseline && baseline !== chosen ? `, against ${describe(baseline)} at the default --hooksPool=${settings.defaultPool}.` : "."),
  ];
  if (others.length > 0) sentences.push(`Other pool sizes: ${others.join("; ")}.`);
  const maxConnections = Math.max(...pairRows.map((row) => row.connections));
  const rpsAt = (key, atPool) => pairRows.find((row) => row.key === key && row.connections === maxConnections && row.pool === atPool)?.rps;
  if (pool !== settings.defaultPool && rpsAt("hooksRefresh", pool) !== undefined) {
    sentences.push(
      `Without WeChat latency at ${maxConnections} connections it moves refresh-token from ${fmt(rpsAt("hooksRefresh", settings.defaultPool), 0)} to ` +
        `${fmt(rpsAt("hooksRefresh", pool), 0)} req/s and login from ${fmt(rpsAt("loginExisting", settings.defaultPool), 0)} to ${fmt(rpsAt("loginExisting", pool), 0)} req/s.`,
    );
  }
  if (Number.isFinite(mibPerVm)) {
    sentences.push(
      `An idle pooled VM costs about ${fmt(mibPerVm, 2)} MiB (idle RSS ${fmt(smallest.idleRssMiB, 0)} MiB at ${smallest.pool}, ${fmt(largest.idleRssMiB, 0)} MiB at ${largest.pool}).`,
    );
  }
  sentences.push(
    "A hook call that finds every pooled VM busy builds a VM of its own (see above), and a login keeps its VMs for the whole WeChat round trip: " +
      `size the pool to the requests in flight at peak (req/s × response time) times ${fmt(vmsPerRequest, 1)}, with headroom.`,
  );
  return sentences.join(" ");
}

// ---- output -------------------------------------------------------------------------------------

const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;

function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

const TABLE_COLUMNS = ["scenario", "conns", "--hooksPool", "req/s", "p50 ms", "p99 ms", "errors", "PB CPU ms/req", "peak RSS MiB"];
const tableCells = (row) => [
  row.label,
  String(row.connections),
  String(row.pool),
  fmt(row.rps, 0),
  fmt(row.p50Ms, 2),
  fmt(row.p99Ms, 2),
  row.errors === 0 ? "0" : `${row.errors} (${errorBreakdown(row)})`,
  fmt(row.cpuMsPerRequest, 2),
  fmt(row.peakRssMiB, 0),
];

function errorBreakdown(row) {
  const parts = Object.entries(row.statusCodes).filter(([code]) => !code.startsWith("2")).map(([code, count]) => `${count}× ${code}`);
  if (row.socketErrors > 0) parts.push(`${row.socketErrors}× socket`);
  return parts.join(", ");
}

function goalLines({ pairRows, settings }) {
  if (pairRows.length === 0) return [];
  const lines = ratiosAgainstGoals(pairRows).map(
    (goal) =>
      `${goal.name}: ` +
      goal.byLevel.map(({ level, ratio, met }) => `${fmt(ratio, 2)}× at ${levelName(level, settings.defaultPool)}${goal.bound ? "" : met ? " ✓" : " ✗"}`).join(", "),
  );
  const { connections, errors, failing } = errorsAt(pairRows, Math.max(...settings.connections));
  const where = failing.map((row) => `${row.label} at pool ${row.pool}`).join("; ");
  lines.push(`zero errors at ${connections} connections: ${errors} errors ${errors === 0 ? "✓" : `✗ (${where})`}`);
  return lines;
}

function freshVmLines({ freshVm, bundle, hotBundle, leanBundle }) {
  const sizes = [
    `bundle ${bundle.path}: ${bundle.bytes} bytes`,
    ...(hotBundle ? [`hot bundle ${hotBundle.path}: ${hotBundle.bytes} bytes`] : []),
    ...(leanBundle ? [`lean bundle ${leanBundle.path}: ${leanBundle.bytes} bytes`] : []),
  ];
  if (!freshVm) return sizes;
  return [
    ...sizes,
    `require() in a fresh VM (median of 200, timed inside PocketBase): the whole bundle ${fmt(freshVm.requireP50Ms, 2)} ms` +
      (freshVm.hotRequireP50Ms === undefined ? "" : `, the hot one ${fmt(freshVm.hotRequireP50Ms, 2)} ms (what a hot route's VM loads)`) +
      (freshVm.leanRequireP50Ms === undefined ? "" : `, the lean one ${fmt(freshVm.leanRequireP50Ms, 2)} ms (refresh-token's and health's)`),
    `a fresh VM per request (--hooksPool=0) adds ${fmt(freshVm.vmCostMs, 2)} ms to a serial health check ` +
      `(p50 ${fmt(freshVm.freshP50Ms, 2)} ms against ${fmt(freshVm.pooledP50Ms, 2)} ms pooled): building the VM with PocketBase's bindings, plus that require()`,
  ];
}

function renderText(results) {
  const table = [TABLE_COLUMNS, ...allRows(results).map(tableCells)];
  const widths = TABLE_COLUMNS.map((_, column) => Math.max(...table.map((cells) => [...cells[column]].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [
    "",
    line(table[0]),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...table.slice(1).map(line),
    "",
    "Against the floors (req/s ratio in the same rounds; CPU per request, floor ÷ ours):",
    ...floorLines(results).map((text) => `  ${text}`),
    "",
    "Against native (our req/s ÷ native req/s in the same rounds):",
    ...goalLines(results).map((text) => `  ${text}`),
    "",
    instructionsMarkdown(results),
    "",
    tlsMarkdown(results),
    "",
    growthMarkdown(results),
    "",
    "What each feature costs (PocketBase CPU per request, full build against one without it):",
    ...featuresText(results).map((text) => `  ${text}`),
    "",
    "What a WeChat push costs (安全模式, PocketBase CPU per request):",
    ...pushText(results).map((text) => `  ${text}`),
    "",
    "Against an earlier commit (PocketBase CPU per request, side by side in this run):",
    ...againstText(results).map((text) => `  ${text}`),
    "",
    ...freshVmLines(results),
    "",
    recommendationText(results),
    "",
  ].join("\n");
}

function renderMarkdown(results) {
  const { settings, machine } = results;
  const minutes = (Date.parse(results.finishedAt) - Date.parse(results.startedAt)) / 60_000;
  const escape = (text) => text.replace(/\|/g, "\\|");
  return `# Benchmarks

Written by \`npm run bench\` (\`scripts/bench.mjs\`) on ${results.startedAt.slice(0, 16).replace("T", " ")} UTC; the run took ${fmt(minutes, 1)} minutes. Its figures are in [benchmarks.json](benchmarks.json).

- Machine: ${machine.model}, ${machine.cores} cores, ${fmt(machine.memoryGiB, 0)} GiB memory. The load generator (autocannon, in its own process), the WeChat simulator (in the bench's process) and PocketBase share these cores, with whatever else runs on the machine; the login and profile rows also pay for the simulator's CPU.
- PocketBase ${machine.pocketbase} (the pinned binary) with the hooks built from this checkout, on a fresh pb_data; Node.js ${machine.node}, autocannon ${machine.autocannon}.
- Each run lasts ${settings.durationS} s. The scenarios of a comparison alternate (A B A B …) for ${plural(settings.rounds, "round")} against one PocketBase; a row merges its rounds.
- Latency percentiles cover every response. Errors are non-2xx answers plus socket errors and timeouts. PB CPU ms/req is PocketBase's user + system CPU time per request, which other work on the machine barely moves. Peak RSS is PocketBase's VmHWM during the row's runs, reset to the current RSS before each run (Go keeps memory it has used, so later rows start higher).
- The WeChat simulator answers at once, except in the rows with WeChat latency. Rate limits are raised out of reach (all load comes from one IP); the limiter still runs.
- --hooksPool ${settings.defaultPool} is PocketBase's default.
- ${loadStatement(results)}

![Requests per second by scenario, and login by --hooksPool](benchmarks.svg)

| ${TABLE_COLUMNS.join(" | ")} |
|${TABLE_COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|
${allRows(results).map((row) => `| ${tableCells(row).map(escape).join(" | ")} |`).join("\n")}

## Against the floors

Each route against the floor it really has: a JS route can't beat PocketBase's own JS machinery (the empty JS route), and a
login can't skip its WeChat round trip (the WeChat floor: a JS route whose only work is one \`$http.send\` to jscode2session).
The req/s ratio comes from the same rounds; the CPU figures are PocketBase's CPU ms per request, the steadier measure on a busy machine.

${floorLines(results).map((text) => `- ${text}`).join("\n")}

## Against native

Our requests per second divided by the native route's, from the same rounds:

${goalLines(results).map((text) => `- ${text}`).join("\n")}

## Where a login's work goes (instructions per request)

${instructionsMarkdown(results)}

## TLS to WeChat

${tlsMarkdown(results)}

## Cost as the user table grows

${growthMarkdown(results)}

## What each feature costs

${featuresMarkdown(results)}

## What a WeChat push costs

${pushMarkdown(results)}

## Against an earlier commit

${againstMarkdown(results)}

## The bundle in a fresh VM

${freshVmLines(results).map((text) => `- ${text}`).join("\n")}

PocketBase keeps --hooksPool VMs ready; a hook that finds them all busy gets a new VM, built for that call alone and thrown away after it.

## --hooksPool

${recommendationText(results)}

## Reproduce

\`\`\`sh
npm install
npm run bench                  # about ${plural(Math.max(1, Math.round(minutes)), "minute")}; rewrites docs/benchmarks.json, .md and .svg
npm run bench -- --quick       # short runs, one round; prints only
npm run bench -- --duration=10 --rounds=3 --connections=1,32,256 --pools=15,50,100,200,400,600 --latency-ms=100 --latency-connections=200
npm run bench:report           # rewrites docs/benchmarks.md and .svg from docs/benchmarks.json, measuring nothing
\`\`\`

The same options can come from BENCH_QUICK=1, BENCH_DURATION_S, BENCH_ROUNDS, BENCH_CONNECTIONS and BENCH_POOLS. Peak RSS needs root
(it resets VmHWM through /proc/<pid>/clear_refs); without it the figures are peaks since PocketBase started.
On a shared machine req/s moves by 10–30 % between runs; the ratios, taken within one run, and the CPU per request move much less.
`;
}

// Horizontal bars: one band per scenario with a bar per connection count (and pool), then one bar per --hooksPool.
function renderSvg(results) {
  const { settings } = results;
  const colors = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2"];
  const labelWidth = 250;
  const barArea = 440;
  const barHeight = 13;
  const xml = (value) => String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const text = (x, y, content, attributes = "") => `<text x="${x}" y="${y}" ${attributes}>${xml(content)}</text>`;
  const bar = (y, width, color) => `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, width).toFixed(1)}" height="${barHeight}" fill="${color}"/>`;
  const levels = levelsOf(results.pairRows);
  const levelIndex = (row) => levels.findIndex((level) => level.connections === row.connections && level.pool === row.pool);
  const maxRps = Math.max(...results.pairRows.map((row) => row.rps), 1);
  const maxPoolRps = Math.max(...results.poolRows.map((row) => row.rps), 1); // 1 when pools were not measured

  const parts = [];
  let y = 24;
  parts.push(text(10, y, `Requests per second, WeChat simulator answering at once (PocketBase ${results.machine.pocketbase})`, 'font-weight="bold"'));
  y += 20;
  levels.forEach((level, i) => {
    parts.push(`<rect x="${10 + i * 150}" y="${y - 10}" width="10" height="10" fill="${colors[i % colors.length]}"/>`);
    parts.push(text(24 + i * 150, y, levelName(level, settings.defaultPool) + (level.pool === settings.defaultPool ? `, pool ${settings.defaultPool}` : "")));
  });
  y += 14;
  for (const key of [...new Set(results.pairRows.map((row) => row.key))]) {
    const rows = results.pairRows.filter((row) => row.key === key);
    parts.push(text(labelWidth - 8, y + (rows.length * (barHeight + 2)) / 2 + 3, rows[0].label, 'text-anchor="end"'));
    for (const row of rows) {
      const width = (row.rps / maxRps) * barArea;
      parts.push(bar(y, width, colors[levelIndex(row) % colors.length]));
      parts.push(text(labelWidth + width + 4, y + barHeight - 2, fmt(row.rps, 0) + (row.errors > 0 ? ` (${row.errors} errors)` : "")));
      y += barHeight + 2;
    }
    y += 8;
  }

  y += 18;
  parts.push(text(10, y, `Login of an existing user at ${settings.latencyConnections} connections, WeChat answering in ${settings.latencyMs} ms`, 'font-weight="bold"'));
  y += 12;
  for (const row of results.poolRows) {
    const width = (row.rps / maxPoolRps) * barArea;
    parts.push(text(labelWidth - 8, y + barHeight - 2, `--hooksPool=${row.pool}`, 'text-anchor="end"'));
    parts.push(bar(y, width, row.pool === results.recommendedPool ? "#59a14f" : "#9d9d9d"));
    const errors = row.errors > 0 ? `, ${row.errors} errors` : "";
    parts.push(text(labelWidth + width + 4, y + barHeight - 2, `${fmt(row.rps, 0)} req/s, p99 ${fmt(row.p99Ms, 0)} ms, ${fmt(row.peakRssMiB, 0)} MiB${errors}`));
    y += barHeight + 5;
  }
  y += 12;

  const width = labelWidth + barArea + 250;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join("\n")}
</svg>
`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? RESULTS_IN_DOCS;
  console.error(`[bench] reporting ${relative(projectRoot, file)}`);
  report(JSON.parse(readFileSync(file, "utf8")), { writeDocs: true });
}
