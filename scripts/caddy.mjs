// Provides a Caddy binary for test/e2e/proxy.test.ts, so that deploy/Caddyfile is always run
// for real on a machine with Node.js and Go alone (nginx runs too, where it is installed).
//
// Where the binary comes from, in order:
//   1. CADDY_BIN, if set;
//   2. the cache in .pocketbase/caddy-v<version>/ (gitignored);
//   3. otherwise: `go install` of github.com/caddyserver/caddy/v2/cmd/caddy at the pinned
//      version (package.json config.caddyVersion), from the Go module proxy.
//
// Run directly, it prints the binary's path. Imported, ensureCaddy() does the same work.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "./pocketbase.mjs";

export const caddyVersion = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).config.caddyVersion;
const cacheDir = join(projectRoot, ".pocketbase", `caddy-v${caddyVersion}`);
const cachedBinary = join(cacheDir, process.platform === "win32" ? "caddy.exe" : "caddy");

export function ensureCaddy({ log = (line) => console.error(line) } = {}) {
  if (process.env.CADDY_BIN) {
    const bin = resolve(process.env.CADDY_BIN);
    if (!existsSync(bin)) throw new Error(`CADDY_BIN points at a missing file: ${bin}`);
    return { bin };
  }
  if (!existsSync(cachedBinary)) buildFromGoModuleProxy(log);
  return { bin: cachedBinary };
}

function buildFromGoModuleProxy(log) {
  log(`Building Caddy v${caddyVersion} from the Go module proxy for the reverse-proxy test; this takes a few minutes once...`);
  mkdirSync(cacheDir, { recursive: true });
  const gobin = mkdtempSync(join(tmpdir(), "caddy-build-"));
  try {
    execFileSync(
      "go",
      ["install", "-trimpath", "-ldflags", "-s -w", `github.com/caddyserver/caddy/v2/cmd/caddy@v${caddyVersion}`],
      // GOTOOLCHAIN=auto lets Go fetch the toolchain version Caddy's go.mod asks for.
      { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, GOBIN: gobin, CGO_ENABLED: "0", GOTOOLCHAIN: "auto", GOFLAGS: "" } },
    );
    renameSync(join(gobin, process.platform === "win32" ? "caddy.exe" : "caddy"), cachedBinary);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensureCaddy().bin);
}
