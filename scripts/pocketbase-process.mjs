// Runs the pinned PocketBase binary with this project's hooks and migrations on a data dir
// of its own, the way ops run it. Shared by the tests, the benchmark and the dev scripts.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
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

// The developer's own WECHAT_* settings must not leak into an instance that sets its own.
function environmentWithout(prefix) {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith(prefix)));
}

export async function startPocketBase(options = {}) {
  const { bin } = ensurePocketBase();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bai-pb-data-"));
  const dirArgs = [
    `--dir=${dataDir}`,
    `--hooksDir=${options.hooksDir ?? process.env.BAI_HOOKS_DIR ?? join(projectRoot, "pb_hooks")}`,
    `--migrationsDir=${options.migrationsDir ?? process.env.BAI_MIGRATIONS_DIR ?? join(projectRoot, "pb_migrations")}`,
    `--hooksWatch=${options.hooksWatch ? "true" : "false"}`,
    "--automigrate=false",
    // PocketBase turns dev mode (SQL with data on the console) on by itself when its
    // binary sits under the temp dir, as in a fresh clone there; production never has it.
    "--dev=false",
  ];
  const env = { ...environmentWithout("WECHAT_"), ...options.env };
  execFileSync(bin, ["superuser", "upsert", SUPERUSER.email, SUPERUSER.password, ...dirArgs], { env, stdio: "ignore" });

  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child;

  async function launch() {
    child = spawn(bin, ["serve", `--http=127.0.0.1:${port}`, ...dirArgs, ...(options.extraArgs ?? [])], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      argv0: options.argv0,
    });
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    await waitUntilHealthy(url, child, () => output);
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
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function waitUntilHealthy(url, child, output) {
  const deadline = Date.now() + 20_000;
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
