// Runs Caddy with deploy/Caddyfile in front of a PocketBase, as a child process: the real file,
// with only its site address and upstream rewritten, and Caddy's admin endpoint turned off.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCaddy } from "../../scripts/caddy.mjs";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { freePort } from "./pocketbase";

export const DEPLOY_CADDYFILE = join(projectRoot, "deploy/Caddyfile");

export interface CaddyProxy {
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, "gm")) ?? [];
  if (matches.length !== 1) throw new Error(`deploy/Caddyfile should contain ${pattern} exactly once, found ${matches.length}`);
  return text.replace(new RegExp(pattern.source, "m"), replacement);
}

export async function startCaddy(upstreamUrl: string): Promise<CaddyProxy> {
  const { bin } = ensureCaddy();
  const upstream = new URL(upstreamUrl);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bai-caddy-"));

  let site = readFileSync(DEPLOY_CADDYFILE, "utf8");
  // Plain HTTP on loopback instead of the host's name (which would make Caddy fetch a certificate).
  site = replaceOnce(site, /^example\.com\s*\{/, `http://127.0.0.1:${port} {`);
  site = replaceOnce(site, /reverse_proxy 127\.0\.0\.1:8090/, `reverse_proxy ${upstream.host}`);
  // Several Caddys may run at once: none of them may take the admin port 2019.
  const configPath = join(dir, "Caddyfile");
  writeFileSync(configPath, `{\n\tadmin off\n\tpersist_config off\n}\n\n${site}`);

  let output = "";
  const child = spawn(bin, ["run", "--config", configPath, "--adapter", "caddyfile"], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, "data"), XDG_CONFIG_HOME: join(dir, "config") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const url = `http://127.0.0.1:${port}`;
  let lastAnswer = "no answer";
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`caddy exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const health = await fetch(`${url}/pb/api/health`);
      if (health.ok) return { url, errorLog: () => output, stop };
      lastAnswer = `GET /pb/api/health answered ${health.status}`;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`caddy did not proxy to ${upstreamUrl} within 10 s (${lastAnswer}):\n${output}`);
}
