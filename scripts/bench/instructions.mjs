// Instructions per request, counted by callgrind (valgrind --tool=callgrind): unlike req/s and
// even CPU time, a count that other work on a busy machine does not move. PocketBase runs under
// callgrind with garbage collection off (GOGC=off: a collection every few hundred requests
// would land in some windows and not others), one P (GOMAXPROCS=1) and Go's async preemption
// off (callgrind can't follow its signals), so the figures are the request's own work, without GC.
//
// Request logs stay on, as PocketBase ships: a log line is part of what a request costs (about
// 280 k instructions), and login and refresh-token write their audit row instead of one, so
// counting neither would charge our routes their trail and PocketBase's nothing. PocketBase writes
// its log lines in batches, 3 s after the last one (or at 200), so each window waits for that write
// before it is counted (waitForLogWrite), and holds its own requests' lines. Each route gets serial
// requests after a warm-up; the counters are zeroed before and dumped after each window
// (callgrind_control), twice, alternating between routes. Besides the
// scenarios of scenarios.mjs, the login rebuilt piece by piece (login-parts.mjs) runs too, so
// that each piece's cost is the difference between two rows.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOGIN_PARTS, loginPartsHooks } from "./login-parts.mjs";
import { scenarios } from "./scenarios.mjs";

export const INSTRUCTION_SCENARIOS = ["nativeHealth", "jsvmFloor", "hooksHealth", "wechatFloor", "nativeRefresh", "hooksRefresh", "loginExisting", "loginNew", "profile"];

export function callgrindAvailable() {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    execFileSync("callgrind_control", ["-h"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// PocketBase writes the log lines it holds 3 s after the last one came (core/base.go initLogger),
// in a goroutine, to auxiliary.db. A window waits until that write has landed: the WAL file changed
// and then rested, or nothing changed for long enough that nothing was pending (login and
// refresh-token log no line of a success). At most 199 requests a window: a 200th line would be written
// at once, mid-window, and the rest later (measure.mjs caps --instruction-requests).
const LOG_BATCH_DELAY_MS = 3000;
const NOTHING_PENDING_AFTER_MS = 7000;
const WRITE_SETTLED_MS = 600;
async function waitForLogWrite(instance) {
  const wal = join(instance.dataDir, "auxiliary.db-wal");
  const modified = () => {
    try {
      return statSync(wal).mtimeMs;
    } catch {
      return 0;
    }
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const before = modified();
  const started = Date.now();
  await sleep(LOG_BATCH_DELAY_MS);
  let last = modified();
  let restingSince = Date.now();
  while (Date.now() - started < NOTHING_PENDING_AFTER_MS || last !== before) {
    await sleep(100);
    const now = modified();
    if (now !== last) {
      last = now;
      restingSince = Date.now();
    } else if (last !== before && Date.now() - restingSince >= WRITE_SETTLED_MS) return;
    if (Date.now() - started > 60_000) throw new Error("PocketBase's log write did not settle within a minute");
  }
}

// Callgrind (3.19) aborts on an assertion in its signal handling when a signal lands while it is
// handling another, mostly as PocketBase starts: the hooks' startup check runs `pocketbase --version`
// (operations/startup-checks.ts), and its SIGCHLD is such a signal, in about half the starts here.
// Such a run is tried again, up to CALLGRIND_ATTEMPTS times in all (a failed start costs ~15 s),
// and then the counts are skipped rather than the whole benchmark.
const CALLGRIND_ATTEMPTS = 10;
export async function measureInstructions(run) {
  if (!callgrindAvailable()) {
    run.log("instruction counts skipped: valgrind (callgrind) is not installed");
    return null;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await countInstructions(run);
    } catch (error) {
      const reason = String(error.message).split("\n").find((line) => /Assertion|exited|failed|ECONNREFUSED/.test(line)) ?? String(error.message).split("\n")[0];
      if (attempt === CALLGRIND_ATTEMPTS) {
        run.log(`instruction counts skipped: callgrind failed ${CALLGRIND_ATTEMPTS} times (${reason.trim()})`);
        return null;
      }
      run.log(`callgrind failed (${reason.trim()}); trying again`);
    }
  }
}

async function countInstructions({ settings, log, start, prepareWith }) {
  const requests = settings.instructionRequests;
  log(`instructions per request under callgrind: ${requests} serial requests per route, 2 rounds (slow: PocketBase runs ~50× slower)`);
  const outDir = mkdtempSync(join(tmpdir(), "bai-bench-callgrind-"));
  try {
    const instance = await start(undefined, loginPartsHooks, {
      wrapper: ["valgrind", "--tool=callgrind", `--callgrind-out-file=${join(outDir, "cg.%p")}`],
      // One P: with more, idle Go threads spin looking for work between requests, and how long they
      // spin depends on timing, which would make the counts depend on the machine's load again.
      env: { GODEBUG: "asyncpreemptoff=1", GOGC: "off", GOMAXPROCS: "1" },
      startTimeoutMs: 15 * 60_000,
    });
    const pid = String(instance.pid());
    const routes = [];
    for (const key of INSTRUCTION_SCENARIOS) routes.push({ key, label: scenarios[key].label, scenario: scenarios[key], context: await prepareWith(instance, scenarios[key]) });
    for (const part of LOGIN_PARTS) routes.push({ key: `parts:${part.parts}`, label: part.label, part: true, scenario: { method: "POST", path: part.path, headers: () => ({ "content-type": "application/json" }), body: (_, n, tag) => ({ users_wx_code: `u-benchexisting-${tag}p${n}` }) }, context: {} });

    let sent = 0;
    const send = async ({ scenario, context }) => {
      const n = ++sent;
      const body = scenario.body ? JSON.stringify(scenario.body(context, n, "ir")) : undefined;
      const response = await fetch(instance.url + scenario.path, { method: scenario.method, headers: scenario.headers?.(context) ?? {}, body });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${scenario.path} answered ${response.status}`);
    };
    const dumps = () => readdirSync(outDir).filter((name) => name.startsWith(`cg.${pid}.`)).length;
    const counts = new Map(routes.map((route) => [route.key, []]));
    for (const route of routes) for (let i = 0; i < 10; i++) await send(route); // warm-up
    await waitForLogWrite(instance);
    for (let round = 1; round <= 2; round++) {
      for (const route of routes) {
        execFileSync("callgrind_control", ["-z", pid], { stdio: "ignore" });
        for (let i = 0; i < requests; i++) await send(route);
        await waitForLogWrite(instance);
        execFileSync("callgrind_control", ["-d", pid], { stdio: "ignore" });
        const dump = readFileSync(join(outDir, `cg.${pid}.${dumps()}`), "utf8");
        const total = Number(/^(?:totals|summary): (\d+)/m.exec(dump)?.[1]);
        counts.get(route.key).push(total / requests);
        log(`  ${route.label.padEnd(60)} round ${round}: ${Math.round(total / requests / 1000)} k instructions per request`);
      }
    }
    await instance.stop();
    instance.remove();
    return {
      measuredAt: new Date().toISOString(),
      requestsPerWindow: requests,
      rows: routes.map(({ key, label, part }) => {
        const values = counts.get(key);
        // The lower window: periodic work (PocketBase's batched request-log writes, timers) lands in
        // one window or another and only adds; the spread shows how much it moved.
        return { key, label, part: Boolean(part), instructions: Math.min(...values), windows: values, spread: Math.max(...values) - Math.min(...values) };
      }),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
