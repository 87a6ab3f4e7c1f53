// The /pb reverse proxies of deploy/, as the end-to-end tests run them in front of PocketBase:
// Caddy with deploy/Caddyfile everywhere (npm test builds it from the Go module proxy), and nginx
// with deploy/nginx.conf where installed. nginx is a Debian package: CI installs it (.ci/run) and
// fails without it; elsewhere its absence skips only its half, with one loud line.
import { existsSync } from "node:fs";
import { startCaddy } from "./caddy";
import { NGINX_BIN, startNginx } from "./nginx";

export interface ReverseProxy {
  url: string;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface DeployProxy {
  name: string;
  start(upstreamUrl: string): Promise<ReverseProxy>;
}

export const caddy = { name: "Caddy with deploy/Caddyfile", start: startCaddy } satisfies DeployProxy;
export const nginx = { name: "nginx with deploy/nginx.conf", start: startNginx } satisfies DeployProxy;

/** Caddy, and nginx unless it is missing outside CI; `what` names the tests its absence skips. */
export function deployProxies<Proxy extends DeployProxy>(what: string, withCaddy: Proxy, withNginx: Proxy): Proxy[] {
  if (existsSync(NGINX_BIN) || process.env.CI) return [withCaddy, withNginx];
  console.warn(`\n!!! SKIPPED: ${what} through deploy/nginx.conf: no nginx at ${NGINX_BIN} (apt-get install nginx-light). Through deploy/Caddyfile it runs. !!!\n`);
  return [withCaddy];
}
