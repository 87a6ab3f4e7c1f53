// Provides the pinned PocketBase binary and its JSVM types.d.ts.
//
// Where the binary comes from, in order:
//   1. POCKETBASE_BIN, if set (its version is checked against the pin);
//   2. the cache in .pocketbase/v<version>/ (gitignored);
//   3. POCKETBASE_SOURCE=release: the official release archive from GitHub,
//      checked against the release's published SHA-256;
//   4. otherwise: `go install` of github.com/pocketbase/pocketbase/examples/base
//      (the main the official releases are built from) at the pinned tag, from
//      the Go module proxy, with the same flags as the release build.
//
// Run directly, it prints the binary's path. Imported, ensurePocketBase() does the same work.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const pocketbaseVersion = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).config.pocketbaseVersion;
export const cacheDir = join(projectRoot, ".pocketbase", `v${pocketbaseVersion}`);
// Where tsconfig.json looks; rewritten from the binary whenever the pin changes.
export const typesPath = join(projectRoot, ".pocketbase", "types.d.ts");
const typesStampPath = join(projectRoot, ".pocketbase", "types.version");

const cachedBinary = join(cacheDir, process.platform === "win32" ? "pocketbase.exe" : "pocketbase");

export function ensurePocketBase({ log = (line) => console.error(line) } = {}) {
  const bin = process.env.POCKETBASE_BIN ? resolve(process.env.POCKETBASE_BIN) : cachedBinary;
  if (!existsSync(bin)) {
    if (process.env.POCKETBASE_BIN) throw new Error(`POCKETBASE_BIN points at a missing file: ${bin}`);
    mkdirSync(cacheDir, { recursive: true });
    if (process.env.POCKETBASE_SOURCE === "release") downloadRelease(log);
    else buildFromGoModuleProxy(log);
  }
  checkVersion(bin, log);
  if (!existsSync(typesPath) || readStamp() !== pocketbaseVersion) writeTypes(bin);
  return { bin, typesPath, version: pocketbaseVersion };
}

function buildFromGoModuleProxy(log) {
  log(`Building PocketBase v${pocketbaseVersion} (examples/base) from the Go module proxy; this takes a minute or two once...`);
  const gobin = mkdtempSync(join(tmpdir(), "pocketbase-build-"));
  try {
    execFileSync(
      "go",
      [
        "install",
        "-trimpath",
        "-ldflags",
        `-s -w -X github.com/pocketbase/pocketbase.Version=${pocketbaseVersion}`,
        `github.com/pocketbase/pocketbase/examples/base@v${pocketbaseVersion}`,
      ],
      // GOTOOLCHAIN=auto lets Go fetch the toolchain version PocketBase's go.mod asks for.
      { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, GOBIN: gobin, CGO_ENABLED: "0", GOTOOLCHAIN: "auto", GOFLAGS: "" } },
    );
    renameSync(join(gobin, process.platform === "win32" ? "base.exe" : "base"), cachedBinary);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

function downloadRelease(log) {
  const platform = { linux: "linux", darwin: "darwin", win32: "windows" }[process.platform];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
  if (!platform || !arch) throw new Error(`No official PocketBase release for ${process.platform}/${process.arch}`);
  const archiveName = `pocketbase_${pocketbaseVersion}_${platform}_${arch}.zip`;
  const releaseUrl = `https://github.com/pocketbase/pocketbase/releases/download/v${pocketbaseVersion}`;
  log(`Downloading ${archiveName} from the official release...`);
  const workDir = mkdtempSync(join(tmpdir(), "pocketbase-release-"));
  try {
    const archivePath = join(workDir, archiveName);
    execFileSync("curl", ["-fsSL", "-o", archivePath, `${releaseUrl}/${archiveName}`], { stdio: "inherit" });
    const checksums = execFileSync("curl", ["-fsSL", `${releaseUrl}/checksums.txt`], { encoding: "utf8" });
    const expected = checksums.split("\n").map((line) => line.trim().split(/\s+/)).find(([, name]) => name === archiveName)?.[0];
    const actual = createHash("sha256").update(readFileSync(archivePath)).digest("hex");
    if (!expected || expected !== actual) throw new Error(`SHA-256 mismatch for ${archiveName}: published ${expected}, got ${actual}`);
    execFileSync("unzip", ["-o", "-q", archivePath, "-d", workDir], { stdio: "inherit" });
    copyFileSync(join(workDir, platform === "windows" ? "pocketbase.exe" : "pocketbase"), cachedBinary);
    execFileSync("chmod", ["+x", cachedBinary]);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function checkVersion(bin, log) {
  const printed = execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  if (printed.endsWith(` ${pocketbaseVersion}`)) return;
  const problem = `${bin} reports "${printed}", but the project pins PocketBase ${pocketbaseVersion}`;
  if (!process.env.POCKETBASE_BIN) throw new Error(problem);
  log(`warning: ${problem}`);
}

function readStamp() {
  return existsSync(typesStampPath) ? readFileSync(typesStampPath, "utf8").trim() : "";
}

// PocketBase writes the JSVM type surface of its own version into its data dir on bootstrap.
function writeTypes(bin) {
  const dataDir = mkdtempSync(join(tmpdir(), "pocketbase-types-"));
  try {
    execFileSync(bin, ["migrate", "history-sync", `--dir=${dataDir}`], { stdio: "ignore" });
    writeFileSync(typesPath, readFileSync(join(dataDir, "types.d.ts")));
    writeFileSync(typesStampPath, pocketbaseVersion);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensurePocketBase().bin);
}
