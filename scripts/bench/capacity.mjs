// docs/capacity.md: what one node sustains, from the figures of the same `npm run bench` run
// (docs/benchmarks.json). The assumptions are constants here, spelled out in the text.
import { litestreamSentence } from "./litestream.mjs";
import { pocketBaseBackupSentence } from "./pocketbase-backup.mjs";
const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en") : "–");

// The daily-active-user model. Conservative: every session signs in through WeChat.
const MODEL = {
  sessionsPerUserPerDay: 3, // mini-program launches per active user per day, each calling /api/wechat/login
  refreshesPerUserPerDay: 1, // a page that renews its token while the app stays open
  newUsersShare: 0.02, // registrations per day, as a share of DAU
  profileUpdatesShare: 0.02, // profile updates per day, as a share of DAU
  peakToAverage: 4, // the busiest minute's rate ÷ the day's average rate
  tokenLifetimeDays: 5, // PocketBase's default auth token duration (432,000 s), which we keep
  headroom: 0.6, // plan to use at most 60 % of a core at peak
};

// Under load with the recommended pool (no request starved of a pooled VM), else at 32 connections.
function capacityRow(results, key) {
  const rows = results.pairRows.filter((row) => row.key === key);
  return rows.find((row) => row.pool === results.recommendedPool && row.pool !== results.settings.defaultPool) ?? rows.find((row) => row.connections === 32) ?? rows[0];
}
const cpuOf = (results, key) => capacityRow(results, key)?.cpuMsPerRequest;

export function renderCapacity(results) {
  const login = cpuOf(results, "loginExisting");
  const registration = cpuOf(results, "loginNew");
  const refresh = cpuOf(results, "hooksRefresh");
  const profile = cpuOf(results, "profile");
  const perCore = (ms) => 1000 / ms;
  const cpuSecondsPerUserDay =
    (MODEL.sessionsPerUserPerDay * login + MODEL.refreshesPerUserPerDay * refresh + MODEL.newUsersShare * registration + MODEL.profileUpdatesShare * profile) / 1000;
  const dauPerCore = (86400 * MODEL.headroom) / (cpuSecondsPerUserDay * MODEL.peakToAverage);
  const pools = [...results.poolRows].sort((a, b) => a.pool - b.pool);
  const mibPerVm = pools.length > 1 ? (pools[pools.length - 1].idleRssMiB - pools[0].idleRssMiB) / (pools[pools.length - 1].pool - pools[0].pool) : NaN;
  const growth = results.growth;
  const large = growth?.instances.find((entry) => entry.users === growth.seededUsers);
  const bytesPerUser = large ? large.diskAfterStop["data.db"] / large.users : NaN;
  const tls = results.tls?.rows ?? [];
  const tlsAt = (protocol, connections) => tls.find((row) => row.protocol === protocol && row.connections === connections);
  const load = results.machine.loadAverage;

  return `# Capacity of one node

Written by \`npm run bench\` from the figures of the run of ${results.startedAt.slice(0, 16).replace("T", " ")} UTC
([benchmarks.md](benchmarks.md), [benchmarks.json](benchmarks.json)); rerun it on the production hardware before relying on it.
Machine: ${results.machine.model}, ${results.machine.cores} cores${load ? `, load average ${fmt(load.atStart[0], 1)} → ${fmt(load.atEnd[0], 1)} during the run` : ""}.
Per-core figures come from PocketBase's CPU time per request, which other work on a busy machine moves much less than req/s.

## Requests per second per CPU core

PocketBase's CPU per request at ${capacityRow(results, "loginExisting")?.connections} connections with --hooksPool=${capacityRow(results, "loginExisting")?.pool}, and what one fully used core sustains. The WeChat
simulator's own CPU is not counted (in production WeChat's servers pay it); the TLS client work of the WeChat call is not in these
rows either (see *TLS to WeChat* below).

| request | PB CPU ms | per core per second |
|---|---:|---:|
| login (existing user: one WeChat round trip) | ${fmt(login, 2)} | ${thousands(perCore(login))} |
| registration (first login: WeChat round trip + insert) | ${fmt(registration, 2)} | ${thousands(perCore(registration))} |
| refresh-token | ${fmt(refresh, 2)} | ${thousands(perCore(refresh))} |
| profile update (WeChat phone call + update) | ${fmt(profile, 2)} | ${thousands(perCore(profile))} |

Writes (registrations, profile updates, and the unionid a login may add) go through SQLite's single writer, one at a time: plan
registrations and profile updates at about one core's figure whatever the core count. Logins and refreshes only read, and spread
over every core.

## Daily active users

Assumptions (change them in scripts/bench/capacity.mjs and run \`npm run bench:report\`):
- each active user opens the mini-program ${MODEL.sessionsPerUserPerDay} times a day and every opening logs in through WeChat (the expensive path; a client
  that reuses its token, valid ${MODEL.tokenLifetimeDays} days, and refreshes instead costs less), plus ${MODEL.refreshesPerUserPerDay} refresh a day;
- ${MODEL.newUsersShare * 100} % of the day's users register that day, and ${MODEL.profileUpdatesShare * 100} % update their profile;
- the busiest minute runs at ${MODEL.peakToAverage}× the day's average rate;
- a core is planned at ${MODEL.headroom * 100} % at that peak.

That is ${fmt(cpuSecondsPerUserDay * 1000, 1)} ms of CPU per user per day, so **one core carries about ${thousands(dauPerCore)} daily active users**
(86,400 s × ${MODEL.headroom} ÷ (${fmt(cpuSecondsPerUserDay * 1000, 1)} ms × ${MODEL.peakToAverage})), and a node with N cores roughly N times that for the
reads. Writes stay within one core's figure: at ${MODEL.newUsersShare * 100} % new users a day, a million DAU make ${fmt((1e6 * MODEL.newUsersShare * MODEL.peakToAverage) / 86400, 1)} registrations a second
at peak, against the ${thousands(perCore(registration))} a core sustains.

## --hooksPool

${
  pools.length > 0
    ? `Recommended: --hooksPool=${results.recommendedPool} (see benchmarks.md, *--hooksPool*). A login holds one pooled VM for the whole WeChat round trip, so size the pool to
the logins in flight at peak: peak logins per second × WeChat's response time (e.g. 500/s × 0.2 s = 100), with headroom. A request
that finds every VM busy builds a throwaway VM (about 1 ms of CPU more). An idle pooled VM costs about ${fmt(mibPerVm, 2)} MiB of memory
(idle RSS ${fmt(pools[0].idleRssMiB, 0)} MiB at --hooksPool=${pools[0].pool}, ${fmt(pools[pools.length - 1].idleRssMiB, 0)} MiB at ${pools[pools.length - 1].pool}); under load each VM in use holds more.`
    : "Pool sizes were not measured in this run."
}

## Disk

${
  large
    ? `data.db holds about ${thousands(bytesPerUser)} bytes per user with its indexes: **${fmt((bytesPerUser * 1e6) / 2 ** 30, 2)} GiB per million users**
(${thousands(large.users)} seeded users: ${fmt(large.diskAfterStop["data.db"] / 2 ** 20, 0)} MiB). PocketBase starts in ${fmt(large.startup?.startS, 1)} s on it and idles at
${fmt(large.startup?.idleRssMiB, 0)} MiB RSS. Request logs go to auxiliary.db and are kept 5 days by default (Settings → Logs); at millions of requests a day
they can outgrow data.db: lower the retention or the log level there.`
    : "Not measured in this run (`npm run bench -- --million`)."
}

## TLS to WeChat

${
  tls.length > 0
    ? `\`$http.send\` uses Go's http.DefaultClient, which keeps at most 2 idle connections per host. With WeChat ${results.tls.latencyMs} ms away over HTTPS/1.1, logins opened
${fmt(tlsAt("HTTP/1.1", 32)?.handshakesPer1000, 0)} new TLS connections per 1,000 logins at 32 connections and ${fmt(tlsAt("HTTP/1.1", 200)?.handshakesPer1000, 0)} at 200 (none resumed: the
client keeps no session cache), against ${fmt(tlsAt("HTTP/1.1", 1)?.handshakesPer1000, 0)} serially. PocketBase's CPU per login: ${fmt(tlsAt("HTTP/1.1", 32)?.cpuMsPerRequest, 2)} ms at 32 connections over
HTTP/1.1 against ${fmt(tlsAt("HTTP/2", 32)?.cpuMsPerRequest, 2)} ms when the server speaks HTTP/2, where Go's client multiplexes every request over one connection
(${fmt(tlsAt("HTTP/2", 32)?.handshakesPer1000, 0)} new connections per 1,000 logins).

What ops can do, none of which needs a code change:
- Check what api.weixin.qq.com negotiates from the production host (\`curl -sI --http2 https://api.weixin.qq.com/ -o /dev/null -w '%{http_version}'\`).
  If it is 2, Go's client already uses one connection and there is nothing to do.
- Otherwise, put a keep-alive forward proxy on the node (nginx with \`proxy_pass https://api.weixin.qq.com\`, an \`upstream\` with
  \`keepalive 64\`, \`proxy_http_version 1.1\`, \`proxy_ssl_server_name on\` and \`proxy_ssl_verify on\`) and set
  WECHAT_API_BASE=http://127.0.0.1:<port>: PocketBase's plain-HTTP hop is cheap, and the proxy keeps its TLS connections to WeChat open.
- Keep --hooksPool sized as above: starved VMs add their own cost on top of the handshakes.`
    : "Not measured in this run."
}

## Backups

- **PocketBase's scheduled backups** (Settings → Backups): a cron expression (e.g. \`0 3 * * *\`), how many to keep, and optionally S3
  storage. A backup is a zip of pb_data taken while PocketBase serves; at a million users that is the ${large ? fmt(large.diskAfterStop["data.db"] / 2 ** 20, 0) : "–"} MiB of data.db
  plus auxiliary.db, and a restore replaces pb_data and restarts the app. Anything written since the last backup is lost in a restore.
  ${pocketBaseBackupSentence(results.pocketbaseBackup) ?? "It was not tested in this run."}
- **Litestream** (continuous WAL replication to S3 or a file path) loses at most its sync interval (1 s by default). It needs the
  database in WAL mode (PocketBase's default) and to be the only process that checkpoints it. ${litestreamSentence(results.litestream) ?? "It was not tested in this run: test a restore before relying on it."}

## Past one node

1. **Vertical first.** JS hooks run in parallel across cores (one pooled VM per request in flight), reads scale with cores, and SQLite
   on local NVMe keeps up with thousands of reads per second. More cores, a larger --hooksPool and fast local disk go a long way;
   keep pb_data off network filesystems.
2. **What SQLite's single writer allows.** One PocketBase process owns data.db. Read replicas (Litestream/LiteFS) can serve reads
   elsewhere, but PocketBase itself does not route writes to a primary, and every login writes nothing only while no unionid arrives
   and no new user registers: a second PocketBase on a replica could answer refresh-token, not registrations or profile updates.
3. **What it doesn't.** Two PocketBase processes writing one database, or a shared network disk under two nodes, are not supported.
   Past one node's writes the choices are splitting users over independent nodes (each its own pb_data, e.g. one per mini-program
   appid) or moving the user store to a client-server database — a different backend, not a PocketBase setting.
   Per-node state would also need care: the rate limits, the login-code claims, the WeChat access token, the cache of
   revoked tokens and the company cache live in one process's memory (\`$app.store()\`).
`;
}
