// The sections of docs/benchmarks.md beyond the main table (report.mjs): each route against its
// floor, the callgrind instruction counts, TLS to WeChat, and the cost as the user table grows;
// and docs/capacity.md, which turns those figures into what ops plan with. Nothing here measures.

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en") : "–");
const find = (rows, key, level) => rows.find((row) => row.key === key && row.connections === level.connections && row.pool === level.pool);

// The issue's floors: a JS route can't beat PocketBase's JS machinery, and a login can't skip its
// WeChat round trip. Ratios by req/s (same rounds) and by CPU per request (floor CPU ÷ ours).
export const FLOOR_GOALS = [
  { name: "hooks health against an empty JS route", ours: "hooksHealth", floor: ["jsvmFloor"], atLeast: 0.9, levels: [1, 32, 256] },
  { name: "refresh-token against native auth-refresh", ours: "hooksRefresh", floor: ["nativeRefresh"], atLeast: 0.8, levels: "all" },
  {
    name: "login (existing user) against one WeChat round trip from JS plus native auth-refresh, 1 / (1/a + 1/b)",
    ours: "loginExisting",
    floor: ["wechatFloor", "nativeRefresh"],
    atLeast: 0.9,
    levels: [1, 32],
  },
];

function levelsOf(rows) {
  return [...new Map(rows.map((row) => [`${row.connections}/${row.pool}`, { connections: row.connections, pool: row.pool }])).values()];
}

export function floorRatios(pairRows) {
  return FLOOR_GOALS.map((goal) => ({
    ...goal,
    byLevel: levelsOf(pairRows).map((level) => {
      const ours = find(pairRows, goal.ours, level);
      const floors = goal.floor.map((key) => find(pairRows, key, level));
      if (!ours || floors.some((row) => !row)) return { level, missing: true };
      const floorRps = 1 / floors.reduce((sum, row) => sum + 1 / row.rps, 0);
      const floorCpu = floors.reduce((sum, row) => sum + row.cpuMsPerRequest, 0);
      const counts = goal.levels === "all" || goal.levels.includes(level.connections);
      const rpsRatio = ours.rps / floorRps;
      return { level, rpsRatio, cpuRatio: floorCpu / ours.cpuMsPerRequest, ourCpu: ours.cpuMsPerRequest, floorCpu, counts, met: rpsRatio >= goal.atLeast };
    }),
  }));
}

export function floorLines(results) {
  if (results.pairRows.length === 0) return [];
  const defaultPool = results.settings.defaultPool;
  const levelName = ({ connections, pool }) => `${connections} conn${connections === 1 ? "" : "s"}${pool === defaultPool ? "" : `, pool ${pool}`}`;
  return floorRatios(results.pairRows).map(
    (goal) =>
      `${goal.name}, goal ≥ ${goal.atLeast}×: ` +
      goal.byLevel
        .filter((entry) => !entry.missing)
        .map(
          (entry) =>
            `${fmt(entry.rpsRatio, 2)}× at ${levelName(entry.level)}${entry.counts ? (entry.met ? " ✓" : " ✗") : ""} ` +
            `(CPU ${fmt(entry.ourCpu, 2)} ms against ${fmt(entry.floorCpu, 2)} ms: ${fmt(entry.cpuRatio, 2)}×)`,
        )
        .join("; "),
  );
}

export function instructionsMarkdown({ instructions }) {
  if (!instructions) return "Not measured in this run (needs valgrind; `npm run bench -- --only=instructions`).";
  const rows = instructions.rows;
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const k = (value) => thousands(value / 1000);
  const lines = [
    `Instructions PocketBase executes per request, counted by callgrind over ${instructions.requestsPerWindow} serial requests per window, two windows per row, the lower one shown ` +
      `(${instructions.measuredAt ? `counted ${instructions.measuredAt.slice(0, 16).replace("T", " ")} UTC; ` : ""}GOMAXPROCS=1, garbage collection off; what periodic work remains, timers and the like, lands in one window or the other, and the spread shows by how much). ` +
      "Request logs are on, as PocketBase ships: each window waits for PocketBase's batched write of its log lines (about 280 k instructions a line), " +
      "except that login and refresh-token log no line of a success and write their audit row instead. " +
      "A count of instructions, unlike req/s or CPU time, does not move with other work on the machine; it does not weigh cache misses or system calls.",
    "",
    "| route | k instructions / request | spread (k) | Δ to the row above (k) |",
    "|---|---:|---:|---:|",
  ];
  let previous = null;
  for (const row of rows) {
    const delta = row.part && previous?.part ? k(row.instructions - previous.instructions) : "";
    lines.push(`| ${row.label.replace(/\|/g, "\\|")} | ${k(row.instructions)} | ${k(row.spread)} | ${delta} |`);
    previous = row;
  }
  const login = byKey.get("loginExisting");
  const floor = ["wechatFloor", "nativeRefresh"].map((key) => byKey.get(key)?.instructions).reduce((a, b) => a + b, 0) - (byKey.get("jsvmFloor")?.instructions ?? 0);
  if (login && Number.isFinite(floor)) {
    lines.push(
      "",
      `Login of an existing user: ${k(login.instructions)} k instructions against a floor of ${k(floor)} k ` +
        "(the WeChat floor plus native auth-refresh, less the empty JS route both floors would otherwise count twice): " +
        `${fmt(floor / login.instructions, 2)}×.`,
    );
  }
  return lines.join("\n");
}

export function tlsMarkdown({ tls }) {
  if (!tls) return "Not measured in this run (`npm run bench -- --only=tls`).";
  const lines = [
    `Login of an existing user with WeChat behind TLS (Node https, self-signed certificate trusted through SSL_CERT_FILE) and ${tls.latencyMs} ms added to every answer; --hooksPool=${tls.rows[0]?.pool}.`,
    "",
    "| WeChat speaks | conns | logins | req/s | errors | new TLS connections per 1,000 logins | of them resumed | PB CPU ms/login |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...tls.rows.map((row) => `| ${row.protocol} | ${row.connections} | ${row.logins} | ${fmt(row.rps, 0)} | ${row.errors} | ${fmt(row.handshakesPer1000, 0)} | ${fmt(row.resumedPer1000, 0)} | ${fmt(row.cpuMsPerRequest, 2)} |`),
  ];
  return lines.join("\n");
}

export function growthMarkdown({ growth }) {
  if (!growth) return "Not measured in this run (`npm run bench -- --million`, or `--only=growth`).";
  const { baselineUsers: small, seededUsers: large } = growth;
  const lines = [
    `Each row ran alternately against a PocketBase on pb_data seeded with ${thousands(small)} users and one seeded with ${thousands(large)} ` +
      "(straight through SQL: a bench-only migration, scripts/bench/seed-users.mjs). At 1 connection a request's latency is its own cost, so p50/p99 there are the per-request cost's percentiles; PB CPU ms/req is the mean. Goal: within 1.2× of the figure at 1,000 users.",
    "",
    `| scenario | conns | CPU ms/req at ${thousands(small)} | at ${thousands(large)} | ratio | p50 ms at ${thousands(small)} | at ${thousands(large)} | p99 ms at ${thousands(small)} | at ${thousands(large)} | errors |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const keys = [...new Set(growth.rows.map((row) => `${row.key}/${row.connections}`))];
  for (const id of keys) {
    const [key, connections] = id.split("/");
    const at = (users) => growth.rows.find((row) => row.key === key && row.connections === Number(connections) && row.users === users);
    const [a, b] = [at(small), at(large)];
    const ratio = b.cpuMsPerRequest / a.cpuMsPerRequest;
    lines.push(
      `| ${a.label} | ${connections} | ${fmt(a.cpuMsPerRequest, 2)} | ${fmt(b.cpuMsPerRequest, 2)} | ${fmt(ratio, 2)}× ${ratio <= 1.2 ? "✓" : "✗"} | ${fmt(a.p50Ms, 2)} | ${fmt(b.p50Ms, 2)} | ${fmt(a.p99Ms, 2)} | ${fmt(b.p99Ms, 2)} | ${a.errors + b.errors} |`,
    );
  }
  lines.push("", "The admin UI's record list of tbl_auth_users (what its list and search box request: page 1, 40 rows, newest first, skipTotal), median and worst of 5:", "");
  lines.push("| query | users | median ms | worst ms | rows |", "|---|---:|---:|---:|---:|");
  for (const query of growth.adminQueries) lines.push(`| ${query.query.replace(/\|/g, "\\|")} | ${thousands(query.users)} | ${fmt(query.medianMs, 1)} | ${fmt(query.maxMs, 1)} | ${query.rows} |`);
  lines.push("", "| users | seeding + first start s | data.db MiB (after stop) | bytes per user | start time s | idle RSS MiB |", "|---:|---:|---:|---:|---:|---:|");
  for (const entry of growth.instances) {
    const bytes = entry.diskAfterStop["data.db"] ?? 0;
    lines.push(
      `| ${thousands(entry.users)} | ${fmt(entry.seedAndStartS, 1)} | ${fmt(bytes / 2 ** 20, 1)} | ${thousands(bytes / entry.users)} | ${entry.startup ? fmt(entry.startup.startS, 2) : "–"} | ${entry.startup ? fmt(entry.startup.idleRssMiB, 0) : "–"} |`,
    );
  }
  return lines.join("\n");
}

export function loadStatement({ machine }) {
  const load = machine.loadAverage;
  if (!load) return "";
  const busy = Math.max(load.atStart[0], load.atEnd[0]) > machine.cores;
  return (
    `Load average (1 min) ${fmt(load.atStart[0], 1)} at the start and ${fmt(load.atEnd[0], 1)} at the end of the run, on ${machine.cores} cores` +
    (busy
      ? ": the machine was busy with other work, so req/s and latency are noise here. Trust the ratios taken within one run, the CPU per request and the instruction counts; the absolute req/s figures await a quiet run."
      : ".")
  );
}
