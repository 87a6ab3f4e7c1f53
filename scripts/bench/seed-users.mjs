// Seeds tbl_auth_users straight through SQL, not through the API: a bench-only migration,
// added to a copy of pb_migrations/, inserts BENCH_SEED_USERS users in one INSERT … SELECT
// the first time PocketBase starts on a fresh data dir.
//
// Seeded user n: id seed<n, 11 digits>, openid osim_m<n> (the simulator's login code
// u-m<n>-… signs it in), users_id of a past day (1,000 registrations a day, going back
// from yesterday, so that today's sequence stays empty as in production), every second
// one with a name and phone 139<n, 8 digits> (registered), a unique random tokenKey, and
// the bcrypt hash of one random password (nobody signs in with a password), and one identity
// under WECHAT_APPID (id sid<n, 12 digits>), as the identities migration gives existing users.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../pocketbase.mjs";

export const seededOpenidName = (n) => `m${n}`;
export const seededPhone = (n) => `139${String(n).padStart(8, "0")}`;

const SEED_MIGRATION = `/// <reference path="../.pocketbase/types.d.ts" />
// Bench only (scripts/bench/seed-users.mjs).
migrate((app) => {
  const count = Number($os.getenv("BENCH_SEED_USERS") || "0");
  if (!(count > 0)) return;
  const users = app.findCollectionByNameOrId("tbl_auth_users");
  const template = new Record(users);
  template.set("openid", "osim_seed_template");
  template.set("users_id", "U000000000000");
  template.set("users_type", "游客");
  template.set("users_status", "正常");
  template.setRandomPassword();
  app.save(template);
  app.db().newQuery(\`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {:count})
    INSERT INTO tbl_auth_users (id, users_id, users_name, users_phone, users_type, users_status, users_picture,
      company_id, openid, unionid, email, emailVisibility, verified, password, tokenKey, created, updated)
    SELECT printf('seed%011d', i),
      'U' || strftime('%Y%m%d', 'now', printf('-%d days', 1 + i / 1000)) || printf('%04d', 1 + i % 1000),
      CASE WHEN i % 2 = 0 THEN printf('用户%d', i) ELSE '' END,
      CASE WHEN i % 2 = 0 THEN printf('139%08d', i) ELSE '' END,
      CASE WHEN i % 2 = 0 THEN '注册用户' ELSE '游客' END,
      '正常',
      CASE WHEN i % 2 = 0 THEN 'https://example.com/avatar.png' ELSE '' END,
      '', 'osim_m' || i, '', '', 0, 0,
      (SELECT password FROM tbl_auth_users WHERE id = {:template}),
      lower(hex(randomblob(25))),
      strftime('%Y-%m-%d %H:%M:%fZ', 'now', printf('-%d days', 1 + i / 1000)),
      strftime('%Y-%m-%d %H:%M:%fZ', 'now', printf('-%d days', 1 + i / 1000))
    FROM n\`).bind({ count, template: template.id }).execute();
  app.delete(template);
  // One identity each under the primary mini-program, as the identities migration gives existing users.
  app.db().newQuery(\`
    INSERT INTO tbl_user_identities (id, user, kind, appid, openid, unionid, first_login, last_login, updated)
    SELECT printf('sid%012d', substr(id, 5)), id, 'miniprogram', {:appid}, openid, '', created, strftime('%Y-%m-%d %H:%M:%fZ', 'now'), created
    FROM tbl_auth_users WHERE id LIKE 'seed%'\`).bind({ appid: $os.getenv("WECHAT_APPID") }).execute();
});
`;

// A copy of pb_migrations/ with the seed migration last; remove() deletes it.
export function migrationsWithSeed() {
  const dir = mkdtempSync(join(tmpdir(), "bai-bench-migrations-"));
  const source = join(projectRoot, "pb_migrations");
  for (const name of readdirSync(source).filter((file) => file.endsWith(".js"))) copyFileSync(join(source, name), join(dir, name));
  writeFileSync(join(dir, "1999999999_bench_seed_users.js"), SEED_MIGRATION);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
