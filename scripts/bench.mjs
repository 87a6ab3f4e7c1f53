// npm run bench: how fast are our hooks next to PocketBase's native routes, and what
// --hooksPool should production run with? A measurement script, not a test: it never fails on a goal.
//
// Two halves: bench/measure.mjs measures and returns plain figures, written as JSON;
// bench/report.mjs turns that JSON into the printed table, docs/benchmarks.md and the chart.
// What is measured is the table in bench/scenarios.mjs: adding a measured route is one entry there.
//
// It builds the hooks and copies them to a temporary hooks dir (so that a rebuild during the
// run changes nothing), starts the pinned PocketBase on fresh pb_data beside the WeChat
// simulator, and drives load with autocannon from a separate process (bench/load.mjs).
// Rate limits are raised out of reach (all load comes from one IP); the limiter still runs.
//
//   1. --hooksPool: login of an existing user at 200 connections while WeChat takes 100 ms,
//      one PocketBase per pool size (15, 50, 100, 200, 400, 600), runs alternating between them.
//      The smallest pool within 5 % of the best req/s, without errors, is the recommendation.
//   2. A fresh goja VM, which PocketBase builds for a hook call once every pooled VM is busy:
//      serial health checks at --hooksPool=0 against the default pool, and the time to
//      require() the bundle in a fresh VM, read by a probe route that exists only in a
//      temporary copy of the hooks dir.
//   3. Every scenario at 1, 32 and 256 connections with the default pool, then at 256 with the
//      recommended one, alternating A B A B within one PocketBase and one group of scenarios:
//      native GET /api/health vs POST /api/system/health and an empty JS route; native
//      auth-refresh vs /api/wechat/refresh-token and /api/wechat/login of an existing user;
//      login of new users and /api/wechat/profile.
//
// Per row: req/s, p50 and p99 latency over every response, errors (non-2xx plus socket errors
// and timeouts), PocketBase's CPU time per request (from /proc/<pid>/stat) and its peak RSS
// (VmHWM from /proc/<pid>/status, reset before each run by writing 5 to /proc/<pid>/clear_refs).
//
//   npm run bench                    full run, about 8 minutes; writes docs/benchmarks.{json,md,svg}
//   npm run bench -- --quick         2 s runs, one round; prints only (figures in .tmp/bench/results.json)
//   npm run bench:report             docs/benchmarks.json → docs/benchmarks.{md,svg}, measuring nothing
//   --duration=S --rounds=N --connections=1,32,256 --pools=15,50,100,200,400,600 --latency-ms=100
//   --latency-connections=200 --no-docs; env BENCH_QUICK=1, BENCH_DURATION_S, BENCH_ROUNDS,
//   BENCH_CONNECTIONS, BENCH_POOLS
//   --million [--users=N]            also the cost as the user table grows (bench/growth.mjs): seeds a
//                                    million users through SQL (2–3 minutes) and compares with 1,000
//   --no-instructions                skip the callgrind counts (bench/instructions.mjs, ~8 minutes;
//                                    skipped anyway without valgrind); --instruction-requests=N per window (at most 199)
//   --no-tls --tls-latency-ms=30     TLS handshakes to WeChat per 1,000 logins (bench/tls.mjs)
//   --feature-duration=S --feature-rounds=N   what each feature costs (bench/features.mjs): 3 s, 4 rounds
//   WeChat pushes: CPU per refused push at the largest accepted body, and per accepted verdict (bench/push.mjs)
//   --only=instructions,tls,growth,litestream,backups,features,push,pools,pairs,freshvm   run only those parts; prints, writes no docs
//   --against=<git ref>              also this checkout against that commit's hooks and migrations, side by
//                                    side in one run (bench/against.mjs); with --only, add "against" to run only that
//   Litestream (bench/litestream.mjs) is LITESTREAM_BIN, or built once from the Go module proxy (scripts/litestream.mjs).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { measure } from "./bench/measure.mjs";
import { report, RESULTS_IN_DOCS } from "./bench/report.mjs";
import { projectRoot } from "./pocketbase.mjs";

const { settings, writeDocs } = readOptions();
const log = (line) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const results = await measure(settings, log);
const resultsFile = writeDocs ? RESULTS_IN_DOCS : join(projectRoot, ".tmp", "bench", "results.json");
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + "\n");
log(`wrote ${relative(projectRoot, resultsFile)}`);
report(results, { writeDocs });

function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string" },
      pools: { type: "string" },
      "latency-ms": { type: "string" },
      "latency-connections": { type: "string" },
      "no-docs": { type: "boolean", default: false },
      million: { type: "boolean", default: false },
      users: { type: "string" },
      "instruction-requests": { type: "string" },
      "no-instructions": { type: "boolean", default: false },
      "no-tls": { type: "boolean", default: false },
      "tls-latency-ms": { type: "string" },
      only: { type: "string" },
      "feature-duration": { type: "string" },
      "feature-rounds": { type: "string" },
      against: { type: "string" },
    },
  });
  const parts = ["pools", "pairs", "freshvm", "instructions", "tls", "growth", "litestream", "backups", "features", "push", "against"];
  const only = values.only === undefined ? null : new Set(values.only.split(",").map((part) => part.trim()));
  for (const part of only ?? []) if (!parts.includes(part)) throw new Error(`--only takes ${parts.join(", ")}; got "${part}"`);
  const env = process.env;
  const quick = values.quick || env.BENCH_QUICK === "1";
  const number = (text, name, min, max) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return value;
  };
  const list = (text, name, min, max) => String(text).split(",").map((item) => number(item.trim(), name, min, max));
  return {
    settings: {
      durationS: number(values.duration ?? env.BENCH_DURATION_S ?? (quick ? 2 : 5), "--duration", 1, 60),
      rounds: number(values.rounds ?? env.BENCH_ROUNDS ?? (quick ? 1 : 2), "--rounds", 1, 10),
      connections: list(values.connections ?? env.BENCH_CONNECTIONS ?? "1,32,256", "--connections", 1, 1000),
      pools: list(values.pools ?? env.BENCH_POOLS ?? "15,50,100,200,400,600", "--pools", 0, 1000),
      latencyMs: number(values["latency-ms"] ?? 100, "--latency-ms", 0, 5000),
      latencyConnections: number(values["latency-connections"] ?? 200, "--latency-connections", 1, 1000),
      only: only ? [...only] : null,
      instructions: only ? only.has("instructions") : !quick && !values["no-instructions"],
      instructionRequests: number(values["instruction-requests"] ?? (quick ? 30 : 150), "--instruction-requests", 10, 199),
      tls: only ? only.has("tls") : !values["no-tls"],
      tlsLatencyMs: number(values["tls-latency-ms"] ?? 30, "--tls-latency-ms", 0, 5000),
      tlsConnections: [1, 32, 200],
      featureDurationS: number(values["feature-duration"] ?? (quick ? 1 : 3), "--feature-duration", 1, 60),
      featureRounds: number(values["feature-rounds"] ?? (quick ? 2 : 4), "--feature-rounds", 2, 20),
      against: values.against ?? null,
      seededUsers: only && !only.has("growth") ? 0 : values.million || values.users !== undefined || only?.has("growth") ? number(values.users ?? 1_000_000, "--users", 1000, 100_000_000) : 0,
    },
    writeDocs: !quick && !values["no-docs"] && !only,
  };
}
