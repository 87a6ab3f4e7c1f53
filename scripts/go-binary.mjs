// A tool built from the Go module proxy at a pinned version, for machines with Node.js and Go
// alone: Caddy for the reverse-proxy test, Litestream for the benchmark's backup test.
//
// Where the binary comes from, in order:
//   1. the environment variable named by `envVariable` (CADDY_BIN, LITESTREAM_BIN), if set;
//   2. the cache in .pocketbase/<name>-v<version>/ (gitignored);
//   3. otherwise: `go install <module>@v<version>` from the Go module proxy, once.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "./pocketbase.mjs";

export function goBinary({ name, modulePath, version, envVariable, purpose, cgo = false }) {
  const executable = process.platform === "win32" ? `${name}.exe` : name;
  const cachedBinary = join(projectRoot, ".pocketbase", `${name}-v${version}`, executable);

  function build(log) {
    log(`Building ${name} v${version} from the Go module proxy for ${purpose}; this takes a few minutes once...`);
    mkdirSync(join(cachedBinary, ".."), { recursive: true });
    const gobin = mkdtempSync(join(tmpdir(), `${name}-build-`));
    try {
      execFileSync("go", ["install", "-trimpath", "-ldflags", "-s -w", `${modulePath}@v${version}`], {
        stdio: ["ignore", "inherit", "inherit"],
        // GOTOOLCHAIN=auto lets Go fetch the toolchain version the module's go.mod asks for.
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: cgo ? "1" : "0", GOTOOLCHAIN: "auto", GOFLAGS: "" },
      });
      renameSync(join(gobin, executable), cachedBinary);
    } finally {
      rmSync(gobin, { recursive: true, force: true });
    }
  }

  return function ensure({ log = (line) => console.error(line) } = {}) {
    if (process.env[envVariable]) {
      const bin = resolve(process.env[envVariable]);
      if (!existsSync(bin)) throw new Error(`${envVariable} points at a missing file: ${bin}`);
      return { bin };
    }
    if (!existsSync(cachedBinary)) build(log);
    return { bin: cachedBinary };
  };
}
