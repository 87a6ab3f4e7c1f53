// Runs Debian's nginx with deploy/nginx.conf in front of a PocketBase, as an unprivileged child
// process: the real file, with only its listen port and upstream address rewritten.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { freePort } from "./pocketbase";

export const NGINX_BIN = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
export const DEPLOY_NGINX_CONF = join(projectRoot, "deploy/nginx.conf");

export interface NginxProxy {
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, "g")) ?? [];
  if (matches.length !== 1) throw new Error(`deploy/nginx.conf should contain ${pattern} exactly once, found ${matches.length}`);
  return text.replace(pattern, replacement);
}

// deploy/nginx.conf belongs inside http {}; this main config supplies what the distribution's
// /etc/nginx/nginx.conf would, with every path inside the temp dir.
function mainConfig(dir: string, siteConfigPath: string): string {
  return `worker_processes 1;
events { worker_connections 128; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${siteConfigPath};
}
`;
}

export async function startNginx(upstreamUrl: string): Promise<NginxProxy> {
  if (!existsSync(NGINX_BIN)) {
    throw new Error(
      `nginx is needed for the reverse-proxy test but ${NGINX_BIN} does not exist. ` +
        `Install it (Debian/Ubuntu: apt-get install -y nginx-light), or point NGINX_BIN at an nginx binary.`,
    );
  }
  const upstream = new URL(upstreamUrl);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bai-nginx-"));
  // Run as root, nginx's workers drop to "nobody" and must still reach the temp paths.
  chmodSync(dir, 0o755);

  let site = readFileSync(DEPLOY_NGINX_CONF, "utf8");
  site = replaceOnce(site, /listen\s+8080;/, `listen 127.0.0.1:${port};`);
  site = replaceOnce(site, /server\s+127\.0\.0\.1:8090;/, `server ${upstream.host};`);
  const sitePath = join(dir, "bai-pb.conf");
  const mainPath = join(dir, "nginx.conf");
  writeFileSync(sitePath, site);
  writeFileSync(mainPath, mainConfig(dir, sitePath));

  const errorLogPath = join(dir, "error.log");
  const errorLog = () => (existsSync(errorLogPath) ? readFileSync(errorLogPath, "utf8") : "");
  let output = "";
  const child: ChildProcess = spawn(
    NGINX_BIN,
    ["-p", dir, "-e", errorLogPath, "-c", mainPath, "-g", `daemon off; pid ${dir}/nginx.pid; error_log ${errorLogPath};`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));

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
      const log = errorLog();
      await stop();
      throw new Error(`nginx exited with ${child.exitCode}:\n${output}\n${log}`);
    }
    try {
      const health = await fetch(`${url}/pb/api/health`);
      if (health.ok) return { url, errorLog, stop };
      lastAnswer = `GET /pb/api/health answered ${health.status}`;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = errorLog();
  await stop();
  throw new Error(`nginx did not proxy to ${upstreamUrl} within 10 s (${lastAnswer}):\n${output}\n${log}`);
}
