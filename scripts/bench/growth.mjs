// The cost as the user table grows (npm run bench -- --million): two PocketBases, one on pb_data
// seeded with 1,000 users and one with settings.seededUsers (a million by default), both seeded
// straight through SQL (seed-users.mjs). The growth scenarios of scenarios.mjs run alternately
// against both, serially (one connection: each request's latency is its own cost) and at 32
// connections; then the admin UI's record list and filters are timed on both, and PocketBase's
// start time and idle memory on the large one.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { growthScenarios } from "./scenarios.mjs";
import { migrationsWithSeed } from "./seed-users.mjs";

export const BASELINE_USERS = 1000;

// run: what measure.mjs hands every part: {settings, log, start, prepareWith, runLoad, alternate, summarize, residentMiB, raiseRateLimits}
export async function measureGrowth(run) {
  const { settings, log, start } = run;
  const migrations = migrationsWithSeed();
  try {
    const sizes = [BASELINE_USERS, settings.seededUsers];
    const instances = [];
    for (const users of sizes) {
      log(`seeding ${users.toLocaleString("en")} users through SQL`);
      const startedAt = Date.now();
      const instance = await start(undefined, undefined, { migrationsDir: migrations.dir, env: { BENCH_SEED_USERS: String(users) }, startTimeoutMs: 30 * 60_000 });
      instances.push({ users, instance, seedAndStartS: (Date.now() - startedAt) / 1000 });
    }
    const large = instances[instances.length - 1];
    large.startup = await restartTimed(run, large.instance);

    const rows = [];
    for (const connections of [1, 32]) {
      const runs = [];
      for (const key of Object.keys(growthScenarios)) {
        for (const { users, instance } of instances) {
          const context = await run.prepareWith(instance, growthScenarios[key], { seededUsers: users });
          runs.push({ key: `${key}/${users}`, scenarioKey: key, instance, context, connections, users });
        }
      }
      for (const entry of runs) await run.runLoad(entry, 1); // warm-up
      const samples = await run.alternate(runs, settings, log);
      for (const entry of runs) {
        rows.push({ key: entry.scenarioKey, label: growthScenarios[entry.scenarioKey].label, users: entry.users, connections, ...run.summarize(samples.get(entry.key)) });
      }
    }

    const adminQueries = [];
    for (const { users, instance } of instances) adminQueries.push(...(await timeAdminQueries(instance, users)));
    for (const { instance } of instances) await instance.stop();
    for (const entry of instances) entry.diskAfterStop = diskBytes(entry.instance.dataDir);
    for (const { instance } of instances) instance.remove();
    return {
      baselineUsers: BASELINE_USERS,
      seededUsers: settings.seededUsers,
      rows,
      adminQueries,
      instances: instances.map(({ users, seedAndStartS, startup, diskAfterStop }) => ({ users, seedAndStartS, startup, diskAfterStop })),
    };
  } finally {
    migrations.remove();
  }
}

// Restart on the seeded data: seconds until /api/health answers, then RSS after 10 s idle.
async function restartTimed(run, instance) {
  await instance.stop();
  const startedAt = Date.now();
  await instance.restart();
  const startS = (Date.now() - startedAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  await run.raiseRateLimits(instance);
  return { startS, idleRssMiB: run.residentMiB(instance.pid(), "VmRSS") };
}

function diskBytes(dataDir) {
  const bytes = {};
  for (const name of readdirSync(dataDir)) {
    if (/^(data|auxiliary)\.db(-wal|-shm)?$/.test(name)) bytes[name] = statSync(join(dataDir, name)).size;
  }
  return bytes;
}

// What the admin UI asks for: its record list (page 1, 40 rows, newest first, no total), the same
// list filtered exactly by users_id and by phone, and a phone typed into its search box, which the
// UI turns into `field ?~ term` over every field (a LIKE '%term%' on each column).
async function timeAdminQueries(instance, users) {
  const headers = { authorization: await instance.superuserToken() };
  const searchFields = ["id", "users_id", "users_name", "users_phone", "users_type", "users_status", "users_picture", "company_id", "openid", "unionid", "email", "emailVisibility", "verified", "created", "updated"];
  const middle = Math.ceil(users / 2) * 2 === users ? users : users - 1; // an even n has a phone
  const phone = `139${String(middle).padStart(8, "0")}`;
  const byUsersIdRow = await (await fetch(`${instance.url}/api/collections/tbl_auth_users/records?perPage=1&skipTotal=1&filter=${encodeURIComponent(`openid="osim_m${middle}"`)}`, { headers })).json();
  const usersId = byUsersIdRow.items?.[0]?.users_id ?? "U000000000000";
  const queries = {
    "list, newest first": "",
    [`users_id = "${usersId}"`]: `users_id="${usersId}"`,
    [`users_phone = "${phone}"`]: `users_phone="${phone}"`,
    [`search box: ${phone}`]: searchFields.map((field) => `${field}?~"${phone}"`).join("||"),
  };
  const results = [];
  for (const [label, filter] of Object.entries(queries)) {
    const times = [];
    let found = 0;
    for (let i = 0; i < 5; i++) {
      const startedAt = performance.now();
      const response = await fetch(`${instance.url}/api/collections/tbl_auth_users/records?page=1&perPage=40&skipTotal=1&sort=-%40rowid&filter=${encodeURIComponent(filter)}`, { headers });
      const body = await response.json();
      times.push(performance.now() - startedAt);
      found = body.items?.length ?? -1;
    }
    times.sort((a, b) => a - b);
    results.push({ users, query: label, medianMs: times[2], maxMs: times[4], rows: found });
  }
  return results;
}
