// Continuous backup with Litestream, tested once: replicate a serving PocketBase's data.db to a
// file replica while users register, restore the replica into a fresh pb_data, start PocketBase
// on it and compare the user counts. The binary is LITESTREAM_BIN or the pinned version built
// from the Go module proxy (scripts/litestream.mjs).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLitestream } from "../litestream.mjs";
import { startPocketBase } from "../pocketbase-process.mjs";

let bin;
const litestreamBin = () => (bin ??= ensureLitestream().bin);

export function litestreamVersion() {
  try {
    return execFileSync(litestreamBin(), ["version"], { encoding: "utf8" }).trim();
  } catch (error) {
    console.error(`[bench] no Litestream: ${error.message}`);
    return null;
  }
}

export async function measureLitestream({ log, start }) {
  const version = litestreamVersion();
  if (!version) return { tested: false, reason: "Litestream could not be built from the Go module proxy (or LITESTREAM_BIN is wrong)" };
  log(`Litestream ${version}: replicate, restore, compare`);
  const dir = mkdtempSync(join(tmpdir(), "bai-bench-litestream-"));
  let replicator;
  try {
    const source = await start();
    const register = async (prefix, count) => {
      for (let i = 0; i < count; i++) {
        await fetch(`${source.url}/api/wechat/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ users_wx_code: `u-${prefix}${i}-1` }) });
      }
    };
    await register("lsbefore", 100);
    const replica = `file://${join(dir, "replica")}`;
    replicator = spawn(litestreamBin(), ["replicate", join(source.dataDir, "data.db"), replica], { stdio: "ignore" });
    await register("lsduring", 200);
    await new Promise((resolve) => setTimeout(resolve, 5000)); // the default sync interval is 1 s
    const count = async (instance) => {
      const response = await fetch(`${instance.url}/api/collections/tbl_auth_users/records?perPage=1`, { headers: { authorization: await instance.superuserToken() } });
      return (await response.json()).totalItems;
    };
    const sourceUsers = await count(source);
    replicator.kill("SIGTERM");
    await new Promise((resolve) => replicator.once("exit", resolve));
    replicator = undefined;

    const restoredDir = join(dir, "restored");
    mkdirSync(restoredDir);
    const startedAt = Date.now();
    execFileSync(litestreamBin(), ["restore", "-o", join(restoredDir, "data.db"), replica], { stdio: "ignore" });
    const restoreS = (Date.now() - startedAt) / 1000;
    const restored = await startPocketBase({ dataDir: restoredDir });
    const restoredUsers = await count(restored);
    const integrity = await fetch(`${restored.url}/api/health`).then((response) => response.ok);
    await restored.stop();
    return { tested: true, version, sourceUsers, restoredUsers, restoreS, healthy: integrity, matched: sourceUsers === restoredUsers };
  } finally {
    replicator?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

export function litestreamSentence(result) {
  if (!result) return null;
  if (!result.tested) return `It was not tested in this run: ${result.reason}.`;
  return (
    `Tested in this run with Litestream ${result.version} (installed from the Go module proxy): while users registered, it replicated data.db to a file replica; ` +
    `the restore took ${result.restoreS.toFixed(1)} s and PocketBase started on the restored database with ${result.restoredUsers} users against ${result.sourceUsers} in the source ` +
    `(${result.matched ? "identical" : "NOT identical"}). Point it at S3 in production (litestream.yml), and restore into an empty pb_data before starting PocketBase.`
  );
}
