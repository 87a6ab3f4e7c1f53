// Runs the pinned PocketBase binary with this project's hooks and migrations on a data dir
// of its own, the way ops run it. Shared by the tests, the benchmark and the dev scripts.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePocketBase, projectRoot } from "./pocketbase.mjs";

export const SUPERUSER = { email: "staff@example.com", password: "staff-password-123" };

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// The developer's own WECHAT_* settings (and APPLICATION_URL) must not leak into an instance that sets its own.
function environmentWithout(prefix) {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith(prefix) && name !== "APPLICATION_URL"));
}

// The address `pocketbase serve <args>` answers at (its last --http, else 127.0.0.1:8090), to be its
// Application URL, on which avatar URLs are built. A wildcard host (0.0.0.0, ::) is served to the
// LAN for a phone's 真机调试, so it is this machine's LAN address, where the phone finds it.
export function servedUrl(serveArgs, interfaces = networkInterfaces()) {
  let address = "127.0.0.1:8090";
  serveArgs.forEach((arg, index) => {
    if (arg.startsWith("--http=")) address = arg.slice("--http=".length);
    else if (arg === "--http" && serveArgs[index + 1]) address = serveArgs[index + 1];
  });
  const colon = address.lastIndexOf(":");
  let host = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  if (["", "0.0.0.0", "::"].includes(host)) {
    const lan = Object.values(interfaces).flat().find((found) => found && found.family === "IPv4" && !found.internal);
    host = lan?.address ?? "127.0.0.1";
  }
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.slice(colon + 1)}`;
}

// The flags every `pocketbase serve` of this project runs with, whoever starts it.
export function serveFlags({ dataDir, hooksDir, migrationsDir, hooksWatch = false }) {
  return [
    `--dir=${dataDir}`,
    `--hooksDir=${hooksDir ?? join(projectRoot, "pb_hooks")}`,
    `--migrationsDir=${migrationsDir ?? join(projectRoot, "pb_migrations")}`,
    `--hooksWatch=${hooksWatch}`,
    "--automigrate=false",
    // PocketBase turns dev mode (SQL with data on the console) on by itself when its
    // binary sits under the temp dir, as in a fresh clone there; production never has it.
    "--dev=false",
  ];
}

export function upsertSuperuser(bin, flags, env) {
  execFileSync(bin, ["superuser", "upsert", SUPERUSER.email, SUPERUSER.password, ...flags], { env, stdio: "ignore" });
}

// A copy of a hooks dir with some files added (name → source), for probes that exist only in a
// test or a benchmark. The copy also keeps a rebuild of pb_hooks/ from reaching a running instance.
export function hooksDirWith(extraFiles, sourceDir = process.env.BAI_HOOKS_DIR ?? join(projectRoot, "pb_hooks")) {
  const dir = mkdtempSync(join(tmpdir(), "bai-pb-hooks-"));
  for (const name of readdirSync(sourceDir).filter((file) => file.endsWith(".js"))) copyFileSync(join(sourceDir, name), join(dir, name));
  for (const [name, source] of Object.entries(extraFiles)) writeFileSync(join(dir, name), source);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startPocketBase(options = {}) {
  const { bin } = ensurePocketBase();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bai-pb-data-"));
  const extraHooks = options.extraHooks ? hooksDirWith(options.extraHooks, options.hooksDir) : undefined;
  const flags = serveFlags({
    dataDir,
    hooksDir: extraHooks?.dir ?? options.hooksDir ?? process.env.BAI_HOOKS_DIR,
    migrationsDir: options.migrationsDir ?? process.env.BAI_MIGRATIONS_DIR,
  });
  const env = { ...environmentWithout("WECHAT_"), ...options.env };
  upsertSuperuser(bin, flags, env);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child;

  async function launch() {
    // options.wrapper: a command to run PocketBase under (the benchmark's callgrind runs).
    const [command, ...prefix] = [...(options.wrapper ?? []), bin];
    child = spawn(command, [...prefix, "serve", `--http=127.0.0.1:${port}`, ...flags, ...(options.extraArgs ?? [])], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      argv0: options.argv0,
    });
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    await waitUntilHealthy(url, child, () => output, options.startTimeoutMs ?? 20_000);
  }

  async function stop(signal = "SIGTERM") {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  await launch();
  return {
    url,
    dataDir,
    pid: () => child.pid,
    output: () => output,
    superuserToken: () => superuserToken(url),
    stop,
    restart: launch,
    remove: () => {
      rmSync(dataDir, { recursive: true, force: true });
      extraHooks?.remove();
    },
  };
}

async function waitUntilHealthy(url, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PocketBase exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PocketBase did not become healthy at ${url}:\n${output()}`);
}

export async function superuserToken(url) {
  const response = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity: SUPERUSER.email, password: SUPERUSER.password }),
  });
  return (await response.json()).token;
}

// Every request of a test or a fuzz run comes from this machine, so the per-client rate
// limits would answer most of them; the limits themselves are proven with distinct IPs.
export async function exemptLoopbackFromRateLimits(instance) {
  const response = await fetch(`${instance.url}/api/settings`, {
    method: "PATCH",
    headers: { authorization: await instance.superuserToken(), "content-type": "application/json" },
    body: JSON.stringify({ rateLimits: { excludedIPs: ["127.0.0.1", "::1"] } }),
  });
  if (!response.ok) throw new Error(`could not exempt loopback from rate limits: ${await response.text()}`);
}
