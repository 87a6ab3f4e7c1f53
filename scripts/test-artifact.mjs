// npm run test:artifact: the end-to-end suite against the release archive instead of the checkout.
// Packs (scripts/pack.mjs), extracts dist/bai-pb-hooks-<version>.tar.gz into a fresh temp dir, checks
// its layout, then runs `vitest run --project e2e` with PocketBase loading the hooks and migrations
// from there (BAI_HOOKS_DIR, BAI_MIGRATIONS_DIR) and no rebuild (BAI_SKIP_BUILD=1).
// Extra arguments go to vitest, e.g. `npm run test:artifact -- test/e2e/proxy.test.ts`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DOCUMENTS, pack } from "./pack.mjs";
import { projectRoot } from "./pocketbase.mjs";

const { path: archive } = pack();
const extracted = mkdtempSync(join(tmpdir(), "bai-artifact-"));
let status = 1;
try {
  execFileSync("tar", ["--extract", "--gzip", "--file", archive, "--directory", extracted]);
  checkLayout(extracted);
  console.log(`\nRunning the e2e suite against ${relative(projectRoot, archive)}, extracted into ${extracted}\n`);
  const vitest = spawnSync(join(projectRoot, "node_modules", ".bin", "vitest"), ["run", "--project", "e2e", ...process.argv.slice(2)], {
    cwd: projectRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      BAI_HOOKS_DIR: join(extracted, "pb_hooks"),
      BAI_MIGRATIONS_DIR: join(extracted, "pb_migrations"),
      BAI_SKIP_BUILD: "1",
    },
  });
  status = vitest.status ?? 1;
} finally {
  rmSync(extracted, { recursive: true, force: true });
}
process.exit(status);

function checkLayout(dir) {
  const hooks = readdirSync(join(dir, "pb_hooks")).sort();
  const expectedHooks = ["bai_wechat_auth.js", "bai_wechat_auth.pb.js", "bai_wechat_auth_hot.js", "bai_wechat_auth_lean.js"];
  const problems = [];
  if (hooks.join() !== expectedHooks.join()) problems.push(`pb_hooks/ holds ${hooks.join(", ")}, not ${expectedHooks.join(", ")}`);
  const migrations = readdirSync(join(dir, "pb_migrations")).sort();
  const ourMigrations = readdirSync(join(projectRoot, "pb_migrations")).filter((name) => name.endsWith(".js")).sort();
  if (migrations.join() !== ourMigrations.join()) problems.push(`pb_migrations/ holds ${migrations.join(", ")}, not ${ourMigrations.join(", ")}`);
  for (const file of [...DOCUMENTS, "deploy/nginx.conf", "deploy/Caddyfile", "deploy/pocketbase.service", "spec/openapi.yaml"]) {
    if (!existsSync(join(dir, file))) problems.push(`${file} is missing`);
  }
  if (problems.length > 0) throw new Error(`the archive's layout is wrong:\n  ${problems.join("\n  ")}`);
}
