// npm run pack: builds the hooks, then writes the release archive dist/bai-pb-hooks-<version>.tar.gz
// (and its .sha256), and the mini-program SDK's npm tarball dist/bai-miniprogram-sdk-<version>.tgz
// (npm pack in client/, which builds it first). The archive is for extracting into a stock PocketBase directory:
//   pb_hooks/bai_wechat_auth.js, pb_hooks/bai_wechat_auth_hot.js, pb_hooks/bai_wechat_auth_lean.js, pb_hooks/bai_wechat_auth.pb.js, pb_migrations/*.js,
//   DEPLOY.md and the docs it leads to (DOCUMENTS), deploy/ (nginx.conf, Caddyfile, pocketbase.service), spec/
// GNU tar writes sorted names, owner 0, fixed modes and one mtime (SOURCE_DATE_EPOCH, else the
// last commit's time), and gzip gets no name or timestamp, so the same files give the same bytes.
//
//   node scripts/pack.mjs              build, then pack
//   node scripts/pack.mjs --no-build   pack the pb_hooks/ that is already built
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleFiles } from "./bundle-options.mjs";
import { projectRoot } from "./pocketbase.mjs";

const HOOK_FILES = [...bundleFiles(), "bai_wechat_auth.pb.js"];
// What DEPLOY.md links to, and what those link to in turn (test/e2e/release.test.ts follows every
// link): ops get the security guarantees, sizing and backups without the repository.
export const DOCUMENTS = ["DEPLOY.md", "docs/security.md", "docs/capacity.md", "docs/benchmarks.md", "docs/benchmarks.json", "docs/benchmarks.svg"];

export function archivePath() {
  const { name, version } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8"));
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`package.json version "${version}" is not semver`);
  return join(projectRoot, "dist", `${name}-${version}.tar.gz`);
}

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: projectRoot, encoding: "utf8" }).trim());
  } catch {
    return 0;
  }
}

export function stage(dir) {
  mkdirSync(join(dir, "pb_hooks"));
  for (const file of HOOK_FILES) copyFileSync(join(projectRoot, "pb_hooks", file), join(dir, "pb_hooks", file));
  mkdirSync(join(dir, "pb_migrations"));
  for (const file of readdirSync(join(projectRoot, "pb_migrations")).filter((name) => name.endsWith(".js"))) {
    copyFileSync(join(projectRoot, "pb_migrations", file), join(dir, "pb_migrations", file));
  }
  mkdirSync(join(dir, "docs"));
  for (const file of DOCUMENTS) copyFileSync(join(projectRoot, file), join(dir, file));
  cpSync(join(projectRoot, "deploy"), join(dir, "deploy"), { recursive: true });
  cpSync(join(projectRoot, "spec"), join(dir, "spec"), { recursive: true });
}

export function pack({ build = true } = {}) {
  if (build) execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const output = archivePath();
  const stagingDir = mkdtempSync(join(tmpdir(), "bai-pack-"));
  try {
    stage(stagingDir);
    const tarball = execFileSync(
      "tar",
      [
        "--create",
        "--file=-",
        `--directory=${stagingDir}`,
        "--sort=name",
        "--format=gnu",
        `--mtime=@${sourceDateEpoch()}`,
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "--mode=u=rwX,go=rX",
        ...readdirSync(stagingDir).sort(),
      ],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    const archive = gzipSync(tarball, { level: 9 });
    mkdirSync(join(projectRoot, "dist"), { recursive: true });
    writeFileSync(output, archive);
    const sha256 = createHash("sha256").update(archive).digest("hex");
    writeFileSync(`${output}.sha256`, `${sha256}  ${relative(join(projectRoot, "dist"), output)}\n`);
    return { path: output, sha256 };
  } finally {
    rmSync(stagingDir, { recursive: true, force: true });
  }
}

/** Builds the SDK, then npm pack of client/ into dist/; answers the tarball's path. */
export function packSdk() {
  execFileSync(process.execPath, [join(projectRoot, "client", "scripts", "build.mjs")], { stdio: "inherit" });
  mkdirSync(join(projectRoot, "dist"), { recursive: true });
  const packed = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", join(projectRoot, "dist")], {
    cwd: join(projectRoot, "client"),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [{ filename }] = JSON.parse(packed);
  return join(projectRoot, "dist", filename);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { path, sha256 } = pack({ build: !process.argv.includes("--no-build") });
  console.log(`${relative(projectRoot, path)}  sha256 ${sha256}`);
  console.log(execFileSync("tar", ["--list", "--verbose", "--file", path], { encoding: "utf8" }).trimEnd());
  console.log(relative(projectRoot, packSdk()));
}
