// npm run bench: how fast are our hooks next to PocketBase's native routes, and what
// --hooksPool should production run with? A measurement script, not a test: it never fails on a goal.
//
// It builds the hooks and copies them to a temporary hooks dir (so that a rebuild during the
// run changes nothing), starts the pinned PocketBase on fresh pb_data beside the WeChat
// simulator, and drives load with autocannon from a separate process (scripts/bench-load.mjs).
// Rate limits are raised out of reach (all load comes from one IP); the limiter still runs.
//
//   1. --hooksPool: login of an existing user at 200 connections while WeChat takes 100 ms,
//      one PocketBase per pool size (15, 50, 100, 200, 400, 600), runs alternating between them.
//      The smallest pool within 5 % of the best req/s, without errors, is the recommendation.
//   2. A fresh goja VM, which PocketBase builds for a hook call once every pooled VM is busy:
//      serial health checks at --hooksPool=0 against the default pool, and the time to
//      require() the bundle in a fresh VM, read by a probe route that exists only in a
//      temporary copy of the hooks dir.
//   3. Pairs at 1, 32 and 256 connections with the default pool, then at 256 with the
//      recommended one, alternating A B A B within one PocketBase: native GET /api/health vs
//      POST /api/system/health; native auth-refresh vs /api/wechat/refresh-token and vs
//      /api/wechat/login of an existing user; login of new users and /api/wechat/profile.
//
// Per row: req/s, p50 and p99 latency over every response, errors (non-2xx plus socket errors
// and timeouts), PocketBase's CPU time per request (from /proc/<pid>/stat) and its peak RSS
// (VmHWM from /proc/<pid>/status, reset before each run by writing 5 to /proc/<pid>/clear_refs).
// It prints one table, the ratios against the goals and a --hooksPool recommendation, and
// writes them to docs/benchmarks.md with a chart, docs/benchmarks.svg.
//
//   npm run bench                    full run, about 7 minutes; writes docs/
//   npm run bench -- --quick         2 s runs, one round; prints only
//   --duration=S --rounds=N --connections=1,32,256 --pools=15,50,100,200,400,600 --latency-ms=100
//   --latency-connections=200 --no-docs; env BENCH_QUICK=1, BENCH_DURATION_S, BENCH_ROUNDS,
//   BENCH_CONNECTIONS, BENCH_POOLS
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { startWechatSimulator } from "../sim/wechat-simulator.mjs";
import { projectRoot, pocketbaseVersion } from "./pocketbase.mjs";
import { startPocketBase } from "./pocketbase-process.mjs";

const BUNDLE = "bai_wechat_auth.js";
const WORKER = join(projectRoot, "scripts", "bench-load.mjs");
const DOCS_DIR = join(projectRoot, "docs");
const WECHAT = { appId: "wx_bench_appid", secret: "bench_secret" };
const DEFAULT_HOOKS_POOL = 15; // PocketBase's own default for --hooksPool
const GOALS = [
  { name: "hooks health ≥ 0.7× native health", ours: "hooksHealth", native: "nativeHealth", atLeast: 0.7 },
  { name: "refresh-token ≥ 0.8× native auth-refresh", ours: "hooksRefresh", native: "nativeRefresh", atLeast: 0.8 },
  { name: "login (existing user) ≥ 0.5× native auth-refresh", ours: "loginExisting", native: "nativeRefresh", atLeast: 0.5 },
  // Not a goal: what any JS route reaches, the bound under the health goal.
  { name: "bound: an empty JS route against native health", ours: "jsvmFloor", native: "nativeHealth", atLeast: 0.7, bound: true },
];

const options = readOptions();
const log = (line) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const cleanups = [];

async function main() {
  const startedAt = new Date();
  log("building the hooks");
  execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const hooksDir = snapshotHooks();
  const bundleBytes = statSync(join(hooksDir, BUNDLE)).size;

  const simulator = await startWechatSimulator({ appId: WECHAT.appId, secret: WECHAT.secret });
  cleanups.push(() => simulator.close());
  const wechatEnv = { WECHAT_APPID: WECHAT.appId, WECHAT_SECRET: WECHAT.secret, WECHAT_API_BASE: simulator.url };
  const start = (pool, dir = hooksDir) => startBenchInstance({ hooksDir: dir, env: wechatEnv, extraArgs: pool === undefined ? [] : [`--hooksPool=${pool}`] });

  const poolRows = await measurePools(start, simulator);
  const recommendedPool = recommendPool(poolRows);

  const pocketbase = await start();
  const freshVm = await measureFreshVm(pocketbase, await start(0, withRequireProbe(hooksDir)));
  const pairRows = await measurePairs(pocketbase, options.connections, DEFAULT_HOOKS_POOL);
  await stopInstance(pocketbase);
  if (recommendedPool !== DEFAULT_HOOKS_POOL) {
    const tuned = await start(recommendedPool);
    pairRows.push(...(await measurePairs(tuned, [Math.max(...options.connections)], recommendedPool)));
    await stopInstance(tuned);
  }

  const report = {
    startedAt,
    finishedAt: new Date(),
    rows: [...pairRows, freshVm.row, ...poolRows],
    pairRows,
    poolRows,
    ratios: ratiosAgainstGoals(pairRows),
    errorsAtMostConnections: errorsAt(pairRows, Math.max(...options.connections)),
    bundleBytes,
    freshVm,
    recommendation: { pool: recommendedPool, text: recommendationText(poolRows, recommendedPool, pairRows) },
  };
  console.log(renderText(report));
  if (options.writeDocs) {
    mkdirSync(DOCS_DIR, { recursive: true });
    writeFileSync(join(DOCS_DIR, "benchmarks.md"), renderMarkdown(report));
    writeFileSync(join(DOCS_DIR, "benchmarks.svg"), renderSvg(report));
    log("wrote docs/benchmarks.md and docs/benchmarks.svg");
  }
}

// Login of an existing user while WeChat is slow, one PocketBase per pool size, all alive at
// once so that their runs can alternate.
async function measurePools(start, simulator) {
  log(`login with WeChat +${options.latencyMs} ms at ${options.latencyConnections} connections, --hooksPool ${options.pools.join(", ")}`);
  const runs = [];
  for (const pool of options.pools) {
    const instance = await start(pool);
    const idleRssMiB = residentMiB(instance.pid(), "VmRSS");
    const { loginExisting } = await prepareScenarios(instance);
    runs.push({ key: `pool${pool}`, pool, idleRssMiB, instance, scenario: loginExisting, connections: options.latencyConnections });
  }
  await setWechatLatency(simulator, options.latencyMs);
  for (const run of runs) await runLoad(run.instance, run.scenario, run.connections, 1); // warm-up
  const samples = await alternate(runs);
  await setWechatLatency(simulator, 0);
  for (const { instance } of runs) await stopInstance(instance);
  return runs.map(({ key, pool, idleRssMiB, connections }) => ({
    key,
    label: `login, existing user, WeChat +${options.latencyMs} ms`,
    connections,
    pool,
    idleRssMiB,
    ...summarize(samples.get(key)),
  }));
}

async function measurePairs(instance, connectionCounts, pool) {
  log(`pairs at ${connectionCounts.join(", ")} connections, --hooksPool=${pool}`);
  const scenarios = await prepareScenarios(instance);
  await warmUp(instance, Object.values(scenarios));
  const groups = [
    ["nativeHealth", "hooksHealth", "jsvmFloor"],
    ["nativeRefresh", "hooksRefresh", "loginExisting"],
    ["loginNew", "profile"],
  ];
  const rows = [];
  for (const connections of connectionCounts) {
    for (const group of groups) {
      const samples = await alternate(group.map((key) => ({ key, instance, scenario: scenarios[key], connections, pool })));
      for (const key of group) rows.push({ key, label: scenarios[key].label, connections, pool, ...summarize(samples.get(key)) });
    }
  }
  return rows;
}

// ---- options ------------------------------------------------------------------------------------

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
    },
  });
  const env = process.env;
  const quick = values.quick || env.BENCH_QUICK === "1";
  const number = (text, name, min, max) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return value;
  };
  const list = (text, name, min, max) => String(text).split(",").map((item) => number(item.trim(), name, min, max));
  return {
    durationS: number(values.duration ?? env.BENCH_DURATION_S ?? (quick ? 2 : 5), "--duration", 1, 60),
    rounds: number(values.rounds ?? env.BENCH_ROUNDS ?? (quick ? 1 : 2), "--rounds", 1, 10),
    connections: list(values.connections ?? env.BENCH_CONNECTIONS ?? "1,32,256", "--connections", 1, 1000),
    pools: list(values.pools ?? env.BENCH_POOLS ?? "15,50,100,200,400,600", "--pools", 0, 1000),
    latencyMs: number(values["latency-ms"] ?? 100, "--latency-ms", 0, 5000),
    latencyConnections: number(values["latency-connections"] ?? 200, "--latency-connections", 1, 1000),
    writeDocs: !quick && !values["no-docs"],
  };
}

// ---- PocketBase instances -----------------------------------------------------------------------

function snapshotHooks() {
  const source = join(projectRoot, "pb_hooks");
  const target = mkdtempSync(join(tmpdir(), "bai-bench-hooks-"));
  cleanups.push(() => rmSync(target, { recursive: true, force: true }));
  for (const name of readdirSync(source).filter((file) => file.endsWith(".js"))) copyFileSync(join(source, name), join(target, name));
  // The floor of any JS route: no bundle, no work, one tiny JSON answer. Bench-only.
  writeFileSync(join(target, "zz_bench_jsvm_floor.pb.js"), `routerAdd("POST", "/api/bench/jsvm-floor", (e) => e.json(200, { code: 200 }));\n`);
  return target;
}

// A copy of the hooks plus one route that times the first require() of the bundle in its VM,
// with Go's nanosecond clock (Date.now() has 1 ms steps).
function withRequireProbe(hooksDir) {
  const target = mkdtempSync(join(tmpdir(), "bai-bench-probe-"));
  cleanups.push(() => rmSync(target, { recursive: true, force: true }));
  for (const name of readdirSync(hooksDir)) copyFileSync(join(hooksDir, name), join(target, name));
  writeFileSync(
    join(target, "zz_bench_require_probe.pb.js"),
    `routerAdd("POST", "/api/bench/require-bundle", (e) => {
  const nowNs = () => new DateTime().time().unixNano();
  const started = nowNs();
  require(__hooks + "/${BUNDLE}");
  e.json(200, { requireMs: (nowNs() - started) / 1e6 });
});
`,
  );
  return target;
}

async function startBenchInstance(config) {
  // Our own data dir, so that it is removed even when PocketBase fails to start.
  const dataDir = mkdtempSync(join(tmpdir(), "bai-bench-data-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const instance = await startPocketBase({ ...config, dataDir });
  cleanups.push(() => instance.stop());
  await raiseRateLimits(instance);
  return instance;
}

async function stopInstance(instance) {
  await instance.stop();
  instance.remove();
}

async function raiseRateLimits(instance) {
  const headers = { authorization: await instance.superuserToken(), "content-type": "application/json" };
  const settings = await (await fetch(`${instance.url}/api/settings`, { headers })).json();
  const rules = settings.rateLimits.rules.map((rule) => ({ ...rule, maxRequests: 1_000_000_000 }));
  const response = await fetch(`${instance.url}/api/settings`, {
    method: "PATCH",
    headers,
    body: JSON.stringify({ rateLimits: { ...settings.rateLimits, rules } }),
  });
  if (!response.ok) throw new Error(`could not raise the rate limits: ${response.status} ${await response.text()}`);
}

async function setWechatLatency(simulator, ms) {
  await fetch(`${simulator.url}/__sim/latency`, { method: "POST", body: JSON.stringify({ ms }) });
}

async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      log(`cleanup: ${error.message}`);
    }
  }
}

// ---- scenarios and load -------------------------------------------------------------------------

let setupLogins = 0;
async function logIn(instance, wechatName) {
  const response = await fetch(`${instance.url}/api/wechat/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ users_wx_code: `u-${wechatName}-setup${++setupLogins}` }),
  });
  const body = await response.json();
  if (!response.ok || !body.token) throw new Error(`login of ${wechatName} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

const HOOKS_HEALTH = { label: "hooks POST /api/system/health", method: "POST", path: "/api/system/health" };

async function prepareScenarios(instance) {
  const token = await logIn(instance, "benchexisting");
  const profileToken = await logIn(instance, "benchprofile");
  const json = { "content-type": "application/json" };
  return {
    nativeHealth: { label: "native GET /api/health", method: "GET", path: "/api/health" },
    hooksHealth: HOOKS_HEALTH,
    jsvmFloor: { label: "JSVM floor: an empty JS route", method: "POST", path: "/api/bench/jsvm-floor" },
    nativeRefresh: { label: "native auth-refresh", method: "POST", path: "/api/collections/tbl_auth_users/auth-refresh", headers: { authorization: token } },
    hooksRefresh: { label: "hooks refresh-token", method: "POST", path: "/api/wechat/refresh-token", headers: { authorization: `Bearer ${token}` } },
    loginExisting: { label: "hooks login, existing user", method: "POST", path: "/api/wechat/login", headers: json, body: { kind: "loginExisting", name: "benchexisting" } },
    loginNew: { label: "hooks login, new user", method: "POST", path: "/api/wechat/login", headers: json, body: { kind: "loginNew" } },
    profile: {
      label: "hooks profile",
      method: "POST",
      path: "/api/wechat/profile",
      headers: { ...json, authorization: `Bearer ${profileToken}` },
      body: { kind: "profile", name: "压测用户", phone: "13800138000", picture: "https://example.com/avatar.png" },
    },
  };
}

const runWorker = promisify(execFile);

async function runLoad(instance, scenario, connections, durationS) {
  const pid = instance.pid();
  resetPeakRss(pid);
  const cpuBefore = cpuMs(pid);
  const spec = { url: instance.url, method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body, connections, durationS };
  const { stdout } = await runWorker(process.execPath, [WORKER, JSON.stringify(spec)], {
    timeout: (durationS + 60) * 1000,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { ...JSON.parse(stdout), cpuMs: cpuMs(pid) - cpuBefore, peakRssMiB: residentMiB(pid, "VmHWM") };
}

// Runs A B C A B C … so that every scenario of a comparison sees the same machine conditions.
async function alternate(runs) {
  const samples = new Map(runs.map(({ key }) => [key, []]));
  for (let round = 1; round <= options.rounds; round++) {
    for (const { key, instance, scenario, connections, pool } of runs) {
      const sample = await runLoad(instance, scenario, connections, options.durationS);
      const where = `c=${connections}${pool === undefined ? "" : ` pool=${pool}`}`;
      log(`  ${scenario.label.padEnd(32)} ${where.padEnd(15)} round ${round}: ${Math.round(sample.requests / sample.durationS)} req/s`);
      samples.get(key).push(sample);
    }
  }
  return samples;
}

async function warmUp(instance, scenarios) {
  for (const scenario of scenarios) await runLoad(instance, scenario, 32, 1);
}

// Serial requests show what a fresh VM adds to one request; the probe times the require alone.
async function measureFreshVm(pooledInstance, freshInstance) {
  log("fresh-VM cost: serial health checks, pooled vs --hooksPool=0, and require() of the bundle");
  const runs = [
    { key: "serialPooled", instance: pooledInstance, scenario: HOOKS_HEALTH, connections: 1, pool: DEFAULT_HOOKS_POOL },
    { key: "serialFresh", instance: freshInstance, scenario: HOOKS_HEALTH, connections: 1, pool: 0 },
  ];
  for (const run of runs) await runLoad(run.instance, run.scenario, 1, 1); // warm-up
  const samples = await alternate(runs);
  const pooled = summarize(samples.get("serialPooled"));
  const fresh = summarize(samples.get("serialFresh"));

  const requireMs = [];
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${freshInstance.url}/api/bench/require-bundle`, { method: "POST" });
    requireMs.push((await response.json()).requireMs);
  }
  await stopInstance(freshInstance);
  return {
    row: { key: "serialFresh", label: `${HOOKS_HEALTH.label}, a fresh VM per request`, connections: 1, pool: 0, ...fresh },
    pooledP50Ms: pooled.p50Ms,
    freshP50Ms: fresh.p50Ms,
    vmCostMs: fresh.p50Ms - pooled.p50Ms,
    requireP50Ms: percentile(requireMs.sort((a, b) => a - b), 50),
  };
}

// ---- figures ------------------------------------------------------------------------------------

function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch (error) {
    log(`cannot reset peak RSS (${error.code}): figures are peaks since start`);
  }
}

function residentMiB(pid, field) {
  const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

// User plus system CPU time the process has used: unlike req/s, barely moved by other work on the machine.
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(samples) {
  const sum = (pick) => samples.reduce((total, sample) => total + pick(sample), 0);
  const latencies = samples.flatMap((sample) => sample.latenciesMs).sort((a, b) => a - b);
  const statusCodes = {};
  for (const sample of samples) for (const [code, count] of Object.entries(sample.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const requests = sum((sample) => sample.requests);
  return {
    rps: requests / sum((sample) => sample.durationS),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: sum((sample) => sample.non2xx + sample.socketErrors),
    statusCodes,
    socketErrors: sum((sample) => sample.socketErrors),
    cpuMsPerRequest: sum((sample) => sample.cpuMs) / requests,
    peakRssMiB: Math.max(...samples.map((sample) => sample.peakRssMiB)),
  };
}

// One column per connection count and pool size the pairs ran at.
function levelsOf(rows) {
  const seen = new Map(rows.map((row) => [`${row.connections}/${row.pool}`, { connections: row.connections, pool: row.pool }]));
  return [...seen.values()];
}

const levelName = ({ connections, pool }) => `${connections} conn${connections === 1 ? "" : "s"}${pool === DEFAULT_HOOKS_POOL ? "" : `, pool ${pool}`}`;

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

// The smallest pool within 5 % of the best throughput, without errors if any pool had none.
function recommendPool(poolRows) {
  const clean = poolRows.filter((row) => row.errors === 0);
  const candidates = clean.length > 0 ? clean : poolRows;
  const best = Math.max(...candidates.map((row) => row.rps));
  return [...candidates].sort((a, b) => a.pool - b.pool).find((row) => row.rps >= 0.95 * best).pool;
}

function recommendationText(poolRows, pool, pairRows) {
  const chosen = poolRows.find((row) => row.pool === pool);
  const baseline = poolRows.find((row) => row.pool === DEFAULT_HOOKS_POOL);
  const describe = (row) => `${fmt(row.rps, 0)} req/s, p99 ${fmt(row.p99Ms, 0)} ms, ${row.errors} errors, peak RSS ${fmt(row.peakRssMiB, 0)} MiB`;
  const others = poolRows.filter((row) => row !== chosen && row !== baseline).map((row) => `${row.pool}: ${describe(row)}`);
  const bySize = [...poolRows].sort((a, b) => a.pool - b.pool);
  const [smallest, largest] = [bySize[0], bySize[bySize.length - 1]];
  const mibPerVm = (largest.idleRssMiB - smallest.idleRssMiB) / (largest.pool - smallest.pool);
  const vmsPerRequest = pool / options.latencyConnections;
  const sentences = [
    `Recommendation: run PocketBase with --hooksPool=${pool}, ${fmt(vmsPerRequest, 1)} pooled VMs per login in flight in this test.`,
    `Logging in an existing user at ${options.latencyConnections} connections while WeChat takes ${options.latencyMs} ms to answer, ` +
      `it gave ${describe(chosen)}` +
      (baseline && baseline !== chosen ? `, against ${describe(baseline)} at the default --hooksPool=${DEFAULT_HOOKS_POOL}.` : "."),
  ];
  if (others.length > 0) sentences.push(`Other pool sizes: ${others.join("; ")}.`);
  const maxConnections = Math.max(...pairRows.map((row) => row.connections));
  const rpsAt = (key, atPool) => pairRows.find((row) => row.key === key && row.connections === maxConnections && row.pool === atPool)?.rps;
  if (pool !== DEFAULT_HOOKS_POOL && rpsAt("hooksRefresh", pool) !== undefined) {
    sentences.push(
      `Without WeChat latency at ${maxConnections} connections it moves refresh-token from ${fmt(rpsAt("hooksRefresh", DEFAULT_HOOKS_POOL), 0)} to ` +
        `${fmt(rpsAt("hooksRefresh", pool), 0)} req/s and login from ${fmt(rpsAt("loginExisting", DEFAULT_HOOKS_POOL), 0)} to ${fmt(rpsAt("loginExisting", pool), 0)} req/s.`,
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

function machine() {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  const autocannonVersion = JSON.parse(readFileSync(join(projectRoot, "node_modules", "autocannon", "package.json"), "utf8")).version;
  return { cores: cpus().length, memoryGiB: totalmem() / 2 ** 30, model, node: process.version, autocannon: autocannonVersion };
}

function goalLines(report) {
  const lines = report.ratios.map(
    (goal) => `${goal.name}: ` + goal.byLevel.map(({ level, ratio, met }) => `${fmt(ratio, 2)}× at ${levelName(level)}${goal.bound ? "" : met ? " ✓" : " ✗"}`).join(", "),
  );
  const { connections, errors, failing } = report.errorsAtMostConnections;
  const where = failing.map((row) => `${row.label} at pool ${row.pool}`).join("; ");
  lines.push(`zero errors at ${connections} connections: ${errors} errors ${errors === 0 ? "✓" : `✗ (${where})`}`);
  return lines;
}

function freshVmLines(report) {
  const { freshVm } = report;
  return [
    `bundle pb_hooks/${BUNDLE}: ${report.bundleBytes} bytes`,
    `require() of the bundle in a fresh VM: ${fmt(freshVm.requireP50Ms, 2)} ms (median of 200, timed inside PocketBase)`,
    `a fresh VM per request (--hooksPool=0) adds ${fmt(freshVm.vmCostMs, 2)} ms to a serial health check ` +
      `(p50 ${fmt(freshVm.freshP50Ms, 2)} ms against ${fmt(freshVm.pooledP50Ms, 2)} ms pooled): building the VM with PocketBase's bindings, plus that require()`,
  ];
}

function renderText(report) {
  const table = [TABLE_COLUMNS, ...report.rows.map(tableCells)];
  const widths = TABLE_COLUMNS.map((_, column) => Math.max(...table.map((cells) => [...cells[column]].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [
    "",
    line(table[0]),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...table.slice(1).map(line),
    "",
    "Goals (our req/s ÷ native req/s in the same rounds):",
    ...goalLines(report).map((text) => `  ${text}`),
    "",
    ...freshVmLines(report),
    "",
    report.recommendation.text,
    "",
  ].join("\n");
}

function renderMarkdown(report) {
  const { cores, memoryGiB, model, node, autocannon } = machine();
  const minutes = (report.finishedAt - report.startedAt) / 60_000;
  const escape = (text) => text.replace(/\|/g, "\\|");
  return `# Benchmarks

Written by \`npm run bench\` ([scripts/bench.mjs](../scripts/bench.mjs)) on ${report.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC; the run took ${fmt(minutes, 1)} minutes.

- Machine: ${model}, ${cores} cores, ${fmt(memoryGiB, 0)} GiB memory. The load generator (autocannon, in its own process), the WeChat simulator (in the bench's process) and PocketBase share these cores, with whatever else runs on the machine; the login and profile rows also pay for the simulator's CPU.
- PocketBase ${pocketbaseVersion} (the pinned binary) with the hooks built from this checkout, on a fresh pb_data; Node.js ${node}, autocannon ${autocannon}.
- Each run lasts ${options.durationS} s. The scenarios of a comparison alternate (A B A B …) for ${plural(options.rounds, "round")} against one PocketBase; a row merges its rounds.
- Latency percentiles cover every response. Errors are non-2xx answers plus socket errors and timeouts. PB CPU ms/req is PocketBase's user + system CPU time per request, which other work on the machine barely moves. Peak RSS is PocketBase's VmHWM during the row's runs, reset to the current RSS before each run (Go keeps memory it has used, so later rows start higher).
- The WeChat simulator answers at once, except in the rows with WeChat latency. Rate limits are raised out of reach (all load comes from one IP); the limiter still runs.
- --hooksPool ${DEFAULT_HOOKS_POOL} is PocketBase's default.

![Requests per second by scenario, and login by --hooksPool](benchmarks.svg)

| ${TABLE_COLUMNS.join(" | ")} |
|${TABLE_COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|
${report.rows.map((row) => `| ${tableCells(row).map(escape).join(" | ")} |`).join("\n")}

## Goals

Our requests per second divided by the native route's, from the same rounds:

${goalLines(report).map((text) => `- ${text}`).join("\n")}

## The bundle in a fresh VM

${freshVmLines(report).map((text) => `- ${text}`).join("\n")}

PocketBase keeps --hooksPool VMs ready; a hook that finds them all busy gets a new VM, built for that call alone and thrown away after it.

## --hooksPool

${report.recommendation.text}

## Reproduce

\`\`\`sh
npm install
npm run bench                  # about ${plural(Math.max(1, Math.round(minutes)), "minute")}; rewrites docs/benchmarks.md and docs/benchmarks.svg
npm run bench -- --quick       # short runs, one round; prints only
npm run bench -- --duration=10 --rounds=3 --connections=1,32,256 --pools=15,50,100,200,400,600 --latency-ms=100 --latency-connections=200
\`\`\`

The same options can come from BENCH_QUICK=1, BENCH_DURATION_S, BENCH_ROUNDS, BENCH_CONNECTIONS and BENCH_POOLS. Peak RSS needs root
(it resets VmHWM through /proc/<pid>/clear_refs); without it the figures are peaks since PocketBase started.
On a shared machine req/s moves by 10–30 % between runs; the ratios, taken within one run, and the CPU per request move much less.
`;
}

// Horizontal bars: one band per scenario with a bar per connection count (and pool), then one bar per --hooksPool.
function renderSvg(report) {
  const colors = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2"];
  const labelWidth = 250;
  const barArea = 440;
  const barHeight = 13;
  const xml = (value) => String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const text = (x, y, content, attributes = "") => `<text x="${x}" y="${y}" ${attributes}>${xml(content)}</text>`;
  const bar = (y, width, color) => `<rect x="${labelWidth}" y="${y}" width="${Math.max(1, width).toFixed(1)}" height="${barHeight}" fill="${color}"/>`;
  const levels = levelsOf(report.pairRows);
  const levelIndex = (row) => levels.findIndex((level) => level.connections === row.connections && level.pool === row.pool);
  const maxRps = Math.max(...report.pairRows.map((row) => row.rps), 1);
  const maxPoolRps = Math.max(...report.poolRows.map((row) => row.rps), 1);

  const parts = [];
  let y = 24;
  parts.push(text(10, y, `Requests per second, WeChat simulator answering at once (PocketBase ${pocketbaseVersion})`, 'font-weight="bold"'));
  y += 20;
  levels.forEach((level, i) => {
    parts.push(`<rect x="${10 + i * 150}" y="${y - 10}" width="10" height="10" fill="${colors[i % colors.length]}"/>`);
    parts.push(text(24 + i * 150, y, levelName(level) + (level.pool === DEFAULT_HOOKS_POOL ? `, pool ${DEFAULT_HOOKS_POOL}` : "")));
  });
  y += 14;
  for (const key of [...new Set(report.pairRows.map((row) => row.key))]) {
    const rows = report.pairRows.filter((row) => row.key === key);
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
  parts.push(text(10, y, `Login of an existing user at ${options.latencyConnections} connections, WeChat answering in ${options.latencyMs} ms`, 'font-weight="bold"'));
  y += 12;
  for (const row of report.poolRows) {
    const width = (row.rps / maxPoolRps) * barArea;
    parts.push(text(labelWidth - 8, y + barHeight - 2, `--hooksPool=${row.pool}`, 'text-anchor="end"'));
    parts.push(bar(y, width, row.pool === report.recommendation.pool ? "#59a14f" : "#9d9d9d"));
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

// ---- run (last, so that every constant above is initialised) -------------------------------------

process.once("SIGINT", () => cleanUp().finally(() => process.exit(130)));

try {
  await main();
} finally {
  await cleanUp();
}
