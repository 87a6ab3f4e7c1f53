// What the revoked-token middleware (a global routerUse, hooks-src/account/token-revocation.ts)
// costs every request: PocketBase instances that differ only in that one registration line of
// pb_hooks/bai_wechat_auth.pb.js (left out; as committed; calling the bundle for guests too),
// loaded in turn (A B C, then C B A) with the same scenarios. PocketBase's CPU time per request
// is the figure to read; req/s moves with whatever else runs on the machine.
//
// With --before=<dir of another checkout, built>, a variant "before" runs that checkout's hooks and
// migrations, for a before/after of the whole change; --variants picks and orders the variants.
//
//   node scripts/bench-revocation.mjs [--duration=S] [--rounds=N] [--connections=1,16]
//     [--latency-connections=200] [--before=DIR] [--variants=without,with,...] [--scenarios=0,1,2,3,4]
import autocannon from "autocannon";
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { startWechatSimulator } from "../sim/wechat-simulator.mjs";
import { projectRoot } from "./pocketbase.mjs";
import { startPocketBase } from "./pocketbase-process.mjs";

// `--worker <json>`: this file is also its own load generator, run as a separate process so that
// it does not share an event loop with the WeChat simulator. Prints requests and errors as JSON.
if (process.argv[2] === "--worker") {
  const spec = JSON.parse(process.argv[3]);
  const runTag = randomBytes(4).toString("hex");
  let sent = 0;
  const body = () => (spec.body?.kind === "loginExisting" ? JSON.stringify({ users_wx_code: `u-${spec.body.name}-${runTag}x${++sent}` }) : undefined);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    timeout: 10,
    requests: [{ method: spec.method, path: spec.path, headers: spec.headers ?? {}, setupRequest: (req) => (spec.body ? { ...req, body: body() } : req) }],
  });
  const requests = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + count, 0);
  process.stdout.write(JSON.stringify({ requests, durationS: result.duration, non2xx: result.non2xx, socketErrors: result.errors }) + "\n");
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "1,16" },
    "latency-connections": { type: "string", default: "200" },
    before: { type: "string" },
    variants: { type: "string" },
    scenarios: { type: "string", default: "0,1,2,3,4" },
  },
});
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const connectionCounts = values.connections.split(",").map(Number);
// As in bench.mjs: logins held up by a slow WeChat, where a middleware's VM is held for the whole request.
const LATENCY_MS = 100;
const latencyConnections = Number(values["latency-connections"]);
const REGISTRATION = "bai_wechat_auth.pb.js";
const GUARD_LINE = /^routerUse\(.*refuseRevokedToken.*\n/m;
const WECHAT = { appId: "wx_bench_appid", secret: "bench_secret" };
const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const cleanups = [];
const log = (line) => console.error(`[bench-revocation] ${line}`);

// The committed line skips guests before require(); this variant calls into the bundle for every request.
const ALWAYS_REQUIRE = "routerUse(new Middleware((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseRevokedToken(e), -1019, \"baiRefuseRevokedToken\"));\n";
const VARIANTS = {
  without: (registration) => registration.replace(GUARD_LINE, ""),
  with: (registration) => registration,
  "with, require() for guests too": (registration) => registration.replace(GUARD_LINE, ALWAYS_REQUIRE),
  before: (registration) => registration,
};
const rootOf = (variant) => (variant === "before" ? values.before : projectRoot);

function hooksCopy(variant) {
  const target = mkdtempSync(join(tmpdir(), "bai-bench-revocation-"));
  cleanups.push(() => rmSync(target, { recursive: true, force: true }));
  const source = join(rootOf(variant), "pb_hooks");
  for (const name of readdirSync(source).filter((file) => file.endsWith(".js"))) copyFileSync(join(source, name), join(target, name));
  const registration = readFileSync(join(target, REGISTRATION), "utf8");
  if (variant !== "before" && !GUARD_LINE.test(registration)) throw new Error("the built hooks have no refuseRevokedToken registration");
  writeFileSync(join(target, REGISTRATION), VARIANTS[variant](registration));
  return target;
}

async function start(variant, env) {
  const dataDir = mkdtempSync(join(tmpdir(), "bai-bench-revocation-data-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const migrationsDir = join(rootOf(variant), "pb_migrations");
  const instance = await startPocketBase({ hooksDir: hooksCopy(variant), migrationsDir, env, dataDir, extraArgs: ["--hooksPool=400"] });
  cleanups.push(() => instance.stop());
  const headers = { authorization: await instance.superuserToken(), "content-type": "application/json" };
  const settings = await (await fetch(`${instance.url}/api/settings`, { headers })).json();
  const rules = settings.rateLimits.rules.map((rule) => ({ ...rule, maxRequests: 1_000_000_000 }));
  await fetch(`${instance.url}/api/settings`, { method: "PATCH", headers, body: JSON.stringify({ rateLimits: { ...settings.rateLimits, rules } }) });
  const login = await fetch(`${instance.url}/api/wechat/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ users_wx_code: `u-benchexisting-setup${cleanups.length}` }) });
  const { token, record } = await login.json();
  return { instance, token, userId: record.id };
}

function loginWhileWechatIsSlow() {
  return { label: `hooks login, existing user, WeChat +${LATENCY_MS} ms`, method: "POST", path: "/api/wechat/login", headers: { "content-type": "application/json" }, body: { kind: "loginExisting", name: "benchexisting" } };
}

function scenarios({ token, userId }) {
  return [
    { label: "native GET /api/health (guest)", method: "GET", path: "/api/health" },
    { label: "native GET own record (user token)", method: "GET", path: `/api/collections/tbl_auth_users/records/${userId}`, headers: { authorization: token } },
    { label: "native auth-refresh", method: "POST", path: "/api/collections/tbl_auth_users/auth-refresh", headers: { authorization: token } },
    { label: "hooks refresh-token", method: "POST", path: "/api/wechat/refresh-token", headers: { authorization: `Bearer ${token}` } },
    { label: "hooks login, existing user", method: "POST", path: "/api/wechat/login", headers: { "content-type": "application/json" }, body: { kind: "loginExisting", name: "benchexisting" } },
  ];
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

async function runLoad(instance, scenario, connections, seconds) {
  const before = cpuMs(instance.pid());
  const spec = { url: instance.url, method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body, connections, durationS: seconds };
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, "scripts", "bench-revocation.mjs"), "--worker", JSON.stringify(spec)], { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  return { requests: result.requests, durationS: result.durationS, errors: result.non2xx + result.socketErrors, cpuMs: cpuMs(instance.pid()) - before };
}

async function main() {
  execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const simulator = await startWechatSimulator({ appId: WECHAT.appId, secret: WECHAT.secret });
  cleanups.push(() => simulator.close());
  const env = { WECHAT_APPID: WECHAT.appId, WECHAT_SECRET: WECHAT.secret, WECHAT_API_BASE: simulator.url };
  const names = values.variants ? values.variants.split(",") : ["without", "with", "with, require() for guests too"];
  if (names.includes("before") && !values.before) throw new Error("--variants=before needs --before=<dir>");
  const variants = {};
  for (const name of names) variants[name] = await start(name, env);
  const header = ["scenario", "conns", ...names.flatMap((name) => [`req/s ${name}`, `CPU ms/req ${name}`]), "errors"];
  const lines = [`| ${header.join(" | ")} |`, `|---|${header.slice(1).map(() => "---:").join("|")}|`];
  const picked = values.scenarios.split(",").map(Number);
  const rows = connectionCounts.flatMap((connections) => picked.map((index) => ({ connections, pick: (variant) => scenarios(variant)[index] })));
  rows.push({ connections: latencyConnections, pick: loginWhileWechatIsSlow, latencyMs: LATENCY_MS });
  for (const { connections, pick, latencyMs } of rows) {
    await fetch(`${simulator.url}/__sim/latency`, { method: "POST", body: JSON.stringify({ ms: latencyMs ?? 0 }) });
    {
      const totals = Object.fromEntries(names.map((name) => [name, { requests: 0, durationS: 0, cpuMs: 0, errors: 0 }]));
      for (const name of names) await runLoad(variants[name].instance, pick(variants[name]), connections, 1); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (const name of round % 2 === 0 ? names : [...names].reverse()) {
          const sample = await runLoad(variants[name].instance, pick(variants[name]), connections, durationS);
          for (const key of Object.keys(sample)) totals[name][key] += sample[key];
        }
      }
      const cells = names.flatMap((name) => [(totals[name].requests / totals[name].durationS).toFixed(0), (totals[name].cpuMs / totals[name].requests).toFixed(3)]);
      const errors = names.reduce((sum, name) => sum + totals[name].errors, 0);
      const line = `| ${pick(variants[names[0]]).label} | ${connections} | ${cells.join(" | ")} | ${errors} |`;
      log(line);
      lines.push(line);
    }
  }
  console.log(lines.join("\n"));
}

try {
  await main();
} finally {
  while (cleanups.length > 0) await Promise.resolve().then(cleanups.pop()).catch(() => {});
}
