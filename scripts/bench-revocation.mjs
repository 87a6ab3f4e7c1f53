// What the revoked-token middleware (a global routerUse, hooks-src/account/token-revocation.ts)
// costs every request: two PocketBase instances, one with the built hooks as they are and one
// without that one registration line, loaded alternately (A B A B) with the same scenarios.
// PocketBase's CPU time per request is the figure to read; req/s moves with the shared machine.
//
//   node scripts/bench-revocation.mjs [--duration=S] [--rounds=N] [--connections=1,32]
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { startWechatSimulator } from "../sim/wechat-simulator.mjs";
import { projectRoot } from "./pocketbase.mjs";
import { startPocketBase } from "./pocketbase-process.mjs";

const { values } = parseArgs({ options: { duration: { type: "string", default: "4" }, rounds: { type: "string", default: "3" }, connections: { type: "string", default: "1,32" } } });
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const connectionCounts = values.connections.split(",").map(Number);
const REGISTRATION = "bai_wechat_auth.pb.js";
const GUARD_LINE = /^routerUse\(.*refuseRevokedToken.*\n/m;
const WECHAT = { appId: "wx_bench_appid", secret: "bench_secret" };
const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const cleanups = [];
const log = (line) => console.error(`[bench-revocation] ${line}`);

function hooksCopy(withGuard) {
  const target = mkdtempSync(join(tmpdir(), "bai-bench-revocation-"));
  cleanups.push(() => rmSync(target, { recursive: true, force: true }));
  const source = join(projectRoot, "pb_hooks");
  for (const name of readdirSync(source).filter((file) => file.endsWith(".js"))) copyFileSync(join(source, name), join(target, name));
  const registration = readFileSync(join(target, REGISTRATION), "utf8");
  if (!GUARD_LINE.test(registration)) throw new Error("the built hooks have no refuseRevokedToken registration");
  if (!withGuard) writeFileSync(join(target, REGISTRATION), registration.replace(GUARD_LINE, ""));
  return target;
}

async function start(hooksDir, env) {
  const dataDir = mkdtempSync(join(tmpdir(), "bai-bench-revocation-data-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const instance = await startPocketBase({ hooksDir, env, dataDir });
  cleanups.push(() => instance.stop());
  const headers = { authorization: await instance.superuserToken(), "content-type": "application/json" };
  const settings = await (await fetch(`${instance.url}/api/settings`, { headers })).json();
  const rules = settings.rateLimits.rules.map((rule) => ({ ...rule, maxRequests: 1_000_000_000 }));
  await fetch(`${instance.url}/api/settings`, { method: "PATCH", headers, body: JSON.stringify({ rateLimits: { ...settings.rateLimits, rules } }) });
  const login = await fetch(`${instance.url}/api/wechat/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ users_wx_code: `u-benchexisting-setup${cleanups.length}` }) });
  const { token, record } = await login.json();
  return { instance, token, userId: record.id };
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
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, "scripts", "bench-load.mjs"), JSON.stringify(spec)], { maxBuffer: 512 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  return { requests: result.requests, durationS: result.durationS, errors: result.non2xx + result.socketErrors, cpuMs: cpuMs(instance.pid()) - before };
}

async function main() {
  execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const simulator = await startWechatSimulator({ appId: WECHAT.appId, secret: WECHAT.secret });
  cleanups.push(() => simulator.close());
  const env = { WECHAT_APPID: WECHAT.appId, WECHAT_SECRET: WECHAT.secret, WECHAT_API_BASE: simulator.url };
  const variants = { without: await start(hooksCopy(false), env), with: await start(hooksCopy(true), env) };
  const lines = ["| scenario | conns | req/s without | req/s with | CPU ms/req without | CPU ms/req with | added CPU ms/req | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|"];
  for (const connections of connectionCounts) {
    for (let index = 0; index < 5; index++) {
      const totals = { without: { requests: 0, durationS: 0, cpuMs: 0, errors: 0 }, with: { requests: 0, durationS: 0, cpuMs: 0, errors: 0 } };
      for (const name of ["without", "with"]) await runLoad(variants[name].instance, scenarios(variants[name])[index], connections, 1); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (const name of round % 2 === 0 ? ["without", "with"] : ["with", "without"]) {
          const sample = await runLoad(variants[name].instance, scenarios(variants[name])[index], connections, durationS);
          for (const key of Object.keys(sample)) totals[name][key] += sample[key];
        }
      }
      const rps = (t) => t.requests / t.durationS;
      const cpu = (t) => t.cpuMs / t.requests;
      const label = scenarios(variants.with)[index].label;
      const line = `| ${label} | ${connections} | ${rps(totals.without).toFixed(0)} | ${rps(totals.with).toFixed(0)} | ${cpu(totals.without).toFixed(3)} | ${cpu(totals.with).toFixed(3)} | ${(cpu(totals.with) - cpu(totals.without)).toFixed(3)} | ${totals.without.errors + totals.with.errors} |`;
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
