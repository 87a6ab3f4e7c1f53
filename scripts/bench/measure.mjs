// The measuring half of `npm run bench`: runs the scenarios of scenarios.mjs against the pinned
// PocketBase and returns plain figures (see bench.mjs for what is measured and why). Nothing
// here judges or words a result; report.mjs does that from the JSON this produces.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { hooksDirWith, startPocketBase } from "../pocketbase-process.mjs";
import { pocketbaseVersion, projectRoot } from "../pocketbase.mjs";
import { measureAgainst } from "./against.mjs";
import { measureFeatures } from "./features.mjs";
import { measureGrowth } from "./growth.mjs";
import { measureInstructions } from "./instructions.mjs";
import { measureLitestream } from "./litestream.mjs";
import { measurePocketBaseBackup } from "./pocketbase-backup.mjs";
import { measurePush } from "./push.mjs";
import { benchHooks, FRESH_VM_SCENARIO, POOL_SCENARIO, scenarios } from "./scenarios.mjs";
import { measureTls } from "./tls.mjs";

const BUNDLE = "bai_wechat_auth.js";
const HOT_BUNDLE = "bai_wechat_auth_hot.js";
const LEAN_BUNDLE = "bai_wechat_auth_lean.js";
const DEFAULT_HOOKS_POOL = 15; // PocketBase's own default for --hooksPool
const WORKER = join(projectRoot, "scripts", "bench", "load.mjs");
const WECHAT = { appId: "wx_bench_appid", secret: "bench_secret" };
const runWorker = promisify(execFile);

// settings: {durationS, rounds, connections[], pools[], latencyMs, latencyConnections, instructions,
// tls, seededUsers (0: no growth run)}.
export async function measure(settings, log) {
  const cleanups = [];
  const cleanUp = async () => {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
  };
  const onInterrupt = () => cleanUp().finally(() => process.exit(130));
  process.once("SIGINT", onInterrupt);
  const startedAt = new Date();
  const loadAtStart = loadavg();
  try {
    log("building the hooks");
    execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
    // A copy, so that a rebuild during the run changes nothing.
    const hooks = hooksDirWith(benchHooks());
    cleanups.push(hooks.remove);

    const simulator = await startWechatSimulator({ appId: WECHAT.appId, secret: WECHAT.secret });
    cleanups.push(() => simulator.close());
    const env = { WECHAT_APPID: WECHAT.appId, WECHAT_SECRET: WECHAT.secret, WECHAT_API_BASE: simulator.url };
    // options: {migrationsDir, env, startTimeoutMs, wrapper} for the growth and instruction runs;
    // {hooksDir, migrationsDir} for another commit's build (against.mjs), the bench's own hooks added.
    const start = async (pool, extraHooks, options = {}) => {
      // Our own data dir, so that it is removed even when PocketBase fails to start.
      const dataDir = mkdtempSync(join(tmpdir(), "bai-bench-data-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const instance = await startPocketBase({
        hooksDir: options.hooksDir ?? hooks.dir,
        extraHooks: options.hooksDir ? { ...benchHooks(), ...extraHooks } : extraHooks,
        env: { ...env, ...options.env },
        dataDir,
        migrationsDir: options.migrationsDir,
        startTimeoutMs: options.startTimeoutMs,
        wrapper: options.wrapper,
        extraArgs: pool === undefined ? [] : [`--hooksPool=${pool}`],
      });
      cleanups.push(() => instance.stop());
      await raiseRateLimits(instance);
      return instance;
    };
    const run = { settings, log, start, hooksDir: hooks.dir, simulator, env, raiseRateLimits, prepareWith, runLoad, alternate, summarize, residentMiB };

    const wants = (part) => !settings.only || settings.only.includes(part);
    const instructions = settings.instructions ? await measureInstructions(run) : null;
    const tls = settings.tls ? await measureTls(run) : null;
    const growth = settings.seededUsers > 0 ? await measureGrowth(run) : null;
    const litestream = wants("litestream") ? await measureLitestream(run) : null;
    const pocketbaseBackup = wants("backups") ? await measurePocketBaseBackup(run) : null;
    const features = wants("features") ? await measureFeatures(run) : null;
    const push = wants("push") ? await measurePush(run) : null;
    const against = settings.against ? await measureAgainst(run, settings.against) : null;
    const poolRows = wants("pools") ? await measurePools(run, simulator) : [];
    const recommendedPool = poolRows.length > 0 ? recommendPool(poolRows) : DEFAULT_HOOKS_POOL;

    const pocketbase = await start();
    const freshVm = wants("freshvm") ? await measureFreshVm(run, pocketbase, await start(0, { "zz_bench_require_probe.pb.js": REQUIRE_PROBE })) : null;
    const pairRows = wants("pairs") ? await measurePairs(run, pocketbase, settings.connections, DEFAULT_HOOKS_POOL) : [];
    await stopInstance(pocketbase);
    if (wants("pairs") && recommendedPool !== DEFAULT_HOOKS_POOL) {
      const tuned = await start(recommendedPool);
      pairRows.push(...(await measurePairs(run, tuned, [Math.max(...settings.connections)], recommendedPool)));
      await stopInstance(tuned);
    }
    return {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings: { ...settings, defaultPool: DEFAULT_HOOKS_POOL },
      machine: { ...machine(), loadAverage: { atStart: loadAtStart, atEnd: loadavg() } },
      bundle: { path: `pb_hooks/${BUNDLE}`, bytes: statSync(join(hooks.dir, BUNDLE)).size },
      hotBundle: { path: `pb_hooks/${HOT_BUNDLE}`, bytes: statSync(join(hooks.dir, HOT_BUNDLE)).size },
      leanBundle: { path: `pb_hooks/${LEAN_BUNDLE}`, bytes: statSync(join(hooks.dir, LEAN_BUNDLE)).size },
      pairRows,
      poolRows,
      freshVm,
      recommendedPool,
      instructions,
      tls,
      growth,
      litestream,
      pocketbaseBackup,
      features,
      push,
      against,
    };
  } finally {
    process.off("SIGINT", onInterrupt);
    await cleanUp();
  }
}

// Times the first require() of a bundle in its VM with Go's nanosecond clock (Date.now() has 1 ms steps).
const REQUIRE_PROBE = `routerAdd("POST", "/api/bench/require-bundle/{file}", (e) => {
  const nowNs = () => new DateTime().time().unixNano();
  const file = e.request.pathValue("file");
  const started = nowNs();
  require(__hooks + "/" + file);
  e.json(200, { requireMs: (nowNs() - started) / 1e6 });
});
`;

// Login of an existing user while WeChat is slow, one PocketBase per pool size, all alive at
// once so that their runs can alternate.
async function measurePools({ settings, log, start }, simulator) {
  log(`login with WeChat +${settings.latencyMs} ms at ${settings.latencyConnections} connections, --hooksPool ${settings.pools.join(", ")}`);
  const runs = [];
  for (const pool of settings.pools) {
    const instance = await start(pool);
    const idleRssMiB = residentMiB(instance.pid(), "VmRSS");
    const context = await prepare(instance, POOL_SCENARIO);
    runs.push({ key: `pool${pool}`, scenarioKey: POOL_SCENARIO, pool, idleRssMiB, instance, context, connections: settings.latencyConnections });
  }
  await setWechatLatency(simulator, settings.latencyMs);
  for (const run of runs) await runLoad(run, 1); // warm-up
  const samples = await alternate(runs, settings, log);
  await setWechatLatency(simulator, 0);
  for (const { instance } of runs) await stopInstance(instance);
  return runs.map(({ key, pool, idleRssMiB, connections }) => ({
    key,
    label: `login, existing user, WeChat +${settings.latencyMs} ms`,
    connections,
    pool,
    idleRssMiB,
    ...summarize(samples.get(key)),
  }));
}

// Every scenario at each connection count, alternating within its group.
async function measurePairs({ settings, log }, instance, connectionCounts, pool) {
  log(`pairs at ${connectionCounts.join(", ")} connections, --hooksPool=${pool}`);
  const contexts = {};
  for (const key of Object.keys(scenarios)) contexts[key] = await prepare(instance, key);
  for (const key of Object.keys(scenarios)) await runLoad({ instance, scenarioKey: key, context: contexts[key], connections: 32 }, 1); // warm-up
  const groups = [...new Set(Object.values(scenarios).map((scenario) => scenario.group))].map((group) =>
    Object.keys(scenarios).filter((key) => scenarios[key].group === group),
  );
  const rows = [];
  for (const connections of connectionCounts) {
    for (const group of groups) {
      const runs = group.map((key) => ({ key, scenarioKey: key, instance, context: contexts[key], connections, pool }));
      const samples = await alternate(runs, settings, log);
      for (const key of group) rows.push({ key, label: scenarios[key].label, connections, pool, ...summarize(samples.get(key)) });
    }
  }
  return rows;
}

// Serial requests show what a fresh VM adds to one request; the probe times the require alone.
async function measureFreshVm({ settings, log }, pooledInstance, freshInstance) {
  log("fresh-VM cost: serial health checks, pooled vs --hooksPool=0, and require() of the bundle");
  const scenarioKey = FRESH_VM_SCENARIO;
  const runs = [
    { key: "serialPooled", scenarioKey, instance: pooledInstance, connections: 1, pool: DEFAULT_HOOKS_POOL },
    { key: "serialFresh", scenarioKey, instance: freshInstance, connections: 1, pool: 0 },
  ];
  for (const run of runs) await runLoad(run, 1); // warm-up
  const samples = await alternate(runs, settings, log);
  const pooled = summarize(samples.get("serialPooled"));
  const fresh = summarize(samples.get("serialFresh"));

  const requireP50Ms = async (file) => {
    const requireMs = [];
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${freshInstance.url}/api/bench/require-bundle/${file}`, { method: "POST" });
      requireMs.push((await response.json()).requireMs);
    }
    return percentile(requireMs.sort((a, b) => a - b), 50);
  };
  const whole = await requireP50Ms(BUNDLE);
  const hot = await requireP50Ms(HOT_BUNDLE);
  const lean = await requireP50Ms(LEAN_BUNDLE);
  await stopInstance(freshInstance);
  return {
    row: { key: "serialFresh", label: `${scenarios[scenarioKey].label}, a fresh VM per request`, connections: 1, pool: 0, ...fresh },
    pooledP50Ms: pooled.p50Ms,
    freshP50Ms: fresh.p50Ms,
    vmCostMs: fresh.p50Ms - pooled.p50Ms,
    requireP50Ms: whole,
    hotRequireP50Ms: hot,
    leanRequireP50Ms: lean,
  };
}

// ---- instances and load ---------------------------------------------------------------------------

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

const prepare = (instance, key) => prepareWith(instance, scenarios[key]);
async function prepareWith(instance, scenario, extra = {}) {
  return (await scenario.prepare?.({ ...extra, logIn: (name) => logIn(instance, name) })) ?? {};
}

async function runLoad({ instance, scenarioKey, context, connections }, durationS) {
  const pid = instance.pid();
  resetPeakRss(pid);
  const cpuBefore = cpuMs(pid);
  const spec = { url: instance.url, scenario: scenarioKey, context, connections, durationS };
  const { stdout } = await runWorker(process.execPath, [WORKER, JSON.stringify(spec)], { timeout: (durationS + 60) * 1000, maxBuffer: 512 * 1024 * 1024 });
  return { ...JSON.parse(stdout), cpuMs: cpuMs(pid) - cpuBefore, peakRssMiB: residentMiB(pid, "VmHWM") };
}

// Runs A B C A B C … so that every scenario of a comparison sees the same machine conditions.
async function alternate(runs, settings, log) {
  const samples = new Map(runs.map(({ key }) => [key, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const run of runs) {
      const sample = await runLoad(run, settings.durationS);
      const where = `c=${run.connections}${run.pool === undefined ? "" : ` pool=${run.pool}`}`;
      log(`  ${(scenarios[run.scenarioKey] ?? { label: run.key }).label.padEnd(32)} ${where.padEnd(15)} round ${round}: ${Math.round(sample.requests / sample.durationS)} req/s`);
      if (Object.keys(sample.statusCodes).some((code) => Number(code) >= 500)) log(await serverErrorsLogged(run.instance));
      samples.get(run.key).push(sample);
    }
  }
  return samples;
}

// A 5xx is a defect, and the instance goes, logs and all, with the run: what PocketBase logged at
// error level (our logError, a failed request) is printed at once. Its log writes are batched (3 s).
async function serverErrorsLogged(instance) {
  await new Promise((resolve) => setTimeout(resolve, 3500));
  const query = new URLSearchParams({ filter: "level >= 8", sort: "-created", perPage: "10" });
  const response = await fetch(`${instance.url}/api/logs?${query}`, { headers: { authorization: await instance.superuserToken() } });
  if (!response.ok) return `  5xx in this run; its logs could not be read (${response.status})`;
  const { items } = await response.json();
  const lines = items.map((item) => `    ${item.created} ${item.message} ${JSON.stringify(item.data)}`);
  return [`  5xx in this run; PocketBase's latest errors (${items.length}):`, ...lines].join("\n");
}

// ---- figures --------------------------------------------------------------------------------------

let peakRssResetFailed = false;
function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch (error) {
    if (!peakRssResetFailed) console.error(`[bench] cannot reset peak RSS (${error.code}): figures are peaks since start`);
    peakRssResetFailed = true;
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

// The smallest pool within 5 % of the best throughput, without errors if any pool had none.
function recommendPool(poolRows) {
  const clean = poolRows.filter((row) => row.errors === 0);
  const candidates = clean.length > 0 ? clean : poolRows;
  const best = Math.max(...candidates.map((row) => row.rps));
  return [...candidates].sort((a, b) => a.pool - b.pool).find((row) => row.rps >= 0.95 * best).pool;
}

function machine() {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  const autocannon = JSON.parse(readFileSync(join(projectRoot, "node_modules", "autocannon", "package.json"), "utf8")).version;
  return { model, cores: cpus().length, memoryGiB: totalmem() / 2 ** 30, node: process.version, autocannon, pocketbase: pocketbaseVersion };
}
