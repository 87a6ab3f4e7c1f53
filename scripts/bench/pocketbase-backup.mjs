// PocketBase's own backups, tested once: a backup of a serving instance through the API (what
// Settings → Backups and its cron schedule do), more users registered after it, then a restore,
// which replaces pb_data and restarts PocketBase in the same process: the users are those of the
// backup, no more and no fewer.
const USERS_BEFORE = 100;
const USERS_AFTER = 50;

export async function measurePocketBaseBackup({ log, start }) {
  log("PocketBase's own backup: create, register more, restore, compare");
  const instance = await start();
  const headers = { authorization: await instance.superuserToken(), "content-type": "application/json" };
  const api = (path, init = {}) => fetch(`${instance.url}${path}`, { ...init, headers });
  const register = async (prefix, count) => {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${instance.url}/api/wechat/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ users_wx_code: `u-${prefix}${i}-1` }) });
      if (!response.ok) throw new Error(`registration for the backup test answered ${response.status}`);
    }
  };
  const users = async () => (await (await api("/api/collections/tbl_auth_users/records?perPage=1")).json()).totalItems;
  try {
    await register("pbbackupbefore", USERS_BEFORE);
    const backedUp = await users();
    let startedAt = Date.now();
    const created = await api("/api/backups", { method: "POST", body: JSON.stringify({ name: "bench.zip" }) });
    if (created.status !== 204) throw new Error(`creating the backup answered ${created.status}`);
    const backupS = (Date.now() - startedAt) / 1000;
    const backup = (await (await api("/api/backups")).json()).find((entry) => entry.key === "bench.zip");

    await register("pbbackupafter", USERS_AFTER);
    const beforeRestore = await users();
    startedAt = Date.now();
    const restoring = await api("/api/backups/bench.zip/restore", { method: "POST" });
    if (restoring.status !== 204) throw new Error(`restoring the backup answered ${restoring.status}`);
    let restored = null;
    while (Date.now() - startedAt < 60_000 && restored !== backedUp) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      restored = await users().catch(() => null);
    }
    return { tested: true, backedUp, beforeRestore, restored, matched: restored === backedUp, backupS, backupBytes: backup?.size ?? NaN, restoreS: (Date.now() - startedAt) / 1000 };
  } finally {
    await instance.stop();
    instance.remove();
  }
}

export function pocketBaseBackupSentence(result) {
  if (!result) return null;
  const mib = (result.backupBytes / 2 ** 20).toFixed(2);
  return (
    `Tested in this run: a backup of an instance with ${result.backedUp} users took ${result.backupS.toFixed(1)} s (${mib} MiB zip); after ${result.beforeRestore - result.backedUp} more ` +
    `registrations, its restore answered within ${result.restoreS.toFixed(1)} s with ${result.restored} users (${result.matched ? "exactly the backup's" : "NOT the backup's"}).`
  );
}
