// What a newcomer reads is what the code does: README's tables against the running PocketBase, and
// docs/api.html against the contract it is rendered from.
import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { codes, uniqueName } from "../support/wechat";

const readme = readFileSync(join(projectRoot, "README.md"), "utf8");

/** The rows of the first Markdown table under the README line that starts with `header`. */
function readmeTable(header: string): string[][] {
  const start = readme.indexOf(`\n${header}`);
  expect(start, `README has a table headed ${header}`).toBeGreaterThan(0);
  const lines = readme.slice(start + 1).split("\n");
  const rows = lines.slice(0, lines.findIndex((line) => !line.startsWith("|")));
  return rows.slice(2).map((row) => row.split("|").slice(1, -1).map((cell) => cell.trim().replaceAll("`", "")));
}

const statusOf = (cell: string) => Number(/^\d{3}/.exec(cell)?.[0]);

describe("README's users_status table", () => {
  const client = api();
  let admin: Awaited<ReturnType<typeof adminClient>>;
  beforeAll(async () => {
    admin = await adminClient();
  });

  const rows = readmeTable("| status | means | login | profile, refresh-token (old token) |");

  it("has a row for each status", () => {
    expect(rows.map(([status]) => status)).toEqual(["正常", "待审核", "禁用", "注销中", "已注销"]);
  });

  it.each(rows)("%s: what a token from before the change gets from profile and refresh-token is what the row says", async (status, _means, _login, oldToken) => {
    const { token, user } = await client.signIn(uniqueName("readme"));
    if (status !== "正常") await admin.users.update(user.pb_id, { users_status: status });
    const profile = await client.profile(token, validProfile());
    const refresh = await client.refreshToken(token);
    expect([profile.status, refresh.status]).toEqual([statusOf(oldToken), statusOf(oldToken)]);
  });

  it.each(rows)("%s: what the next login gets is what the row says", async (status, _means, login) => {
    const name = uniqueName("readme");
    const { user } = await client.signIn(name);
    if (status !== "正常") await admin.users.update(user.pb_id, { users_status: status });
    expect((await client.login(codes.loginAs(name))).status).toBe(statusOf(login));
  });
});

describe("docs/api.html", () => {
  // `npm run docs` renders it offline; the same command into a temp file must give the same bytes.
  it("is rendered from today's spec/openapi.yaml (else: npm run docs)", () => {
    const { docs } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).scripts;
    const render = /redocly build-docs .* -o docs\/api\.html$/.exec(docs)?.[0];
    expect(render, "package.json's docs script ends in redocly build-docs … -o docs/api.html").toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "bai-api-docs-"));
    try {
      const fresh = join(dir, "api.html");
      execSync(render!.replace(/docs\/api\.html$/, fresh), { cwd: projectRoot, stdio: "ignore", env: { ...process.env, PATH: `${join(projectRoot, "node_modules/.bin")}:${process.env.PATH}` } });
      expect(readFileSync(fresh).equals(readFileSync(join(projectRoot, "docs/api.html"))), "docs/api.html is stale: run npm run docs").toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
