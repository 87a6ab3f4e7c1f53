// Starts the real, pinned PocketBase binary with the built hooks and migrations on a
// fresh pb_data, the way ops run it. Never a mock.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePocketBase, projectRoot } from "../../scripts/pocketbase.mjs";

export const SUPERUSER = { email: "staff@example.com", password: "staff-password-123" };

export interface PocketBaseInstance {
  url: string;
  dataDir: string;
  output(): string;
  superuserToken(): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export interface PocketBaseOptions {
  env?: Record<string, string>;
  dataDir?: string;
  hooksDir?: string;
  migrationsDir?: string;
  extraArgs?: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPocketBase(options: PocketBaseOptions = {}): Promise<PocketBaseInstance> {
  const { bin } = ensurePocketBase();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bai-pb-data-"));
  const dirArgs = [
    `--dir=${dataDir}`,
    `--hooksDir=${options.hooksDir ?? join(projectRoot, "pb_hooks")}`,
    `--migrationsDir=${options.migrationsDir ?? join(projectRoot, "pb_migrations")}`,
    "--hooksWatch=false",
    "--automigrate=false",
    // PocketBase turns dev mode (SQL with data on the console) on by itself when its
    // binary sits under the temp dir, as in a fresh clone there; production never has it.
    "--dev=false",
  ];
  const env = { ...cleanEnv(), ...options.env };
  execFileSync(bin, ["superuser", "upsert", SUPERUSER.email, SUPERUSER.password, ...dirArgs], { env, stdio: "ignore" });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child: ChildProcess;

  async function launch() {
    child = spawn(bin, ["serve", `--http=127.0.0.1:${port}`, ...dirArgs, ...(options.extraArgs ?? [])], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    await waitUntilHealthy(url, child, () => output);
  }

  async function stop(signal: NodeJS.Signals = "SIGTERM") {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  await launch();
  return {
    url,
    dataDir,
    output: () => output,
    superuserToken: () => superuserToken(url),
    stop,
    restart: launch,
  };
}

// The developer's own WECHAT_* settings must not leak into a test instance.
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("WECHAT_") && value !== undefined) env[name] = value;
  }
  return env;
}

async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
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

async function superuserToken(url: string): Promise<string> {
  const response = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity: SUPERUSER.email, password: SUPERUSER.password }),
  });
  const body = (await response.json()) as { token: string };
  return body.token;
}

export function removeDataDir(instance: PocketBaseInstance): void {
  rmSync(instance.dataDir, { recursive: true, force: true });
}
