// Our migrations on instances that already hold data: one that ran an earlier release of
// ours, and one whose tbl_auth_users predates us. Each case runs its own real PocketBase.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePocketBase, projectRoot } from "../../scripts/pocketbase.mjs";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { startPocketBase } from "../support/pocketbase";
import { uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const ourMigrations = readdirSync(join(projectRoot, "pb_migrations")).filter((file) => file.endsWith(".js")).sort();

// A migrations dir with only those of ours that sort before `firstLeftOut`.
function migrationsBefore(firstLeftOut: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bai-migrations-"));
  for (const file of ourMigrations.filter((file) => file < firstLeftOut)) {
    copyFileSync(join(projectRoot, "pb_migrations", file), join(dir, file));
  }
  return dir;
}

// A user as staff create one in the admin UI: no WeChat login, so no openid.
const staffMadeUser = (usersId: string) => ({
  users_id: usersId,
  users_type: "游客",
  users_status: "正常",
  password: "a-password-123",
  passwordConfirm: "a-password-123",
});

describe("users without an openid", () => {
  it("can be many, on an instance that already ran 0.1.0, while a set openid stays unique", async () => {
    // 0.1.0's shape: openid required and unique over every value, empty ones included.
    const releasedMigrations = migrationsBefore("1764100000");
    const first = await startPocketBase({ env: {}, migrationsDir: releasedMigrations });
    try {
      const admin = await adminClient(first.url);
      const collection = await admin.pb.collections.getOne("tbl_auth_users");
      await admin.pb.collections.update("tbl_auth_users", {
        fields: collection.fields.map((field: { name: string }) => (field.name === "openid" ? { ...field, required: true } : field)),
        indexes: collection.indexes.map((sql: string) =>
          sql.includes("idx_tbl_auth_users_openid") ? "CREATE UNIQUE INDEX `idx_tbl_auth_users_openid` ON `tbl_auth_users` (`openid`)" : sql,
        ),
      });
      await first.stop();

      const upgraded = await startPocketBase({ env: {}, dataDir: first.dataDir });
      try {
        const users = (await adminClient(upgraded.url)).users;
        await users.create(staffMadeUser("U20250101000001"));
        await users.create(staffMadeUser("U20250101000002"));
        await users.create({ ...staffMadeUser("U20250101000003"), openid: "o-taken" });
        await expect(users.create({ ...staffMadeUser("U20250101000004"), openid: "o-taken" })).rejects.toMatchObject({ status: 400 });
      } finally {
        await upgraded.stop();
      }
    } finally {
      first.remove();
      rmSync(releasedMigrations, { recursive: true, force: true });
    }
  });
});

// A stock PocketBase: the pinned binary with no hooks and no migrations of ours.
async function startStock(dataDir?: string) {
  const nothing = mkdtempSync(join(tmpdir(), "bai-nothing-"));
  const instance = await startPocketBase({ env: {}, dataDir, hooksDir: nothing, migrationsDir: nothing });
  return { instance, admin: await adminClient(instance.url), removeDirs: () => rmSync(nothing, { recursive: true, force: true }) };
}

// `pocketbase migrate down` for every migration of ours, the way ops would run it.
function migrateDownAllOfOurs(dataDir: string) {
  const { bin } = ensurePocketBase();
  return execFileSync(
    bin,
    ["migrate", "down", String(ourMigrations.length), `--dir=${dataDir}`, `--migrationsDir=${join(projectRoot, "pb_migrations")}`, `--hooksDir=${join(projectRoot, "pb_hooks")}`, "--dev=false"],
    // It asks for confirmation.
    { encoding: "utf8", input: "y\n", stdio: ["pipe", "pipe", "pipe"] },
  );
}

// tbl_auth_users as a host made it before us: password sign-in, no users_status, unionid,
// users_picture, created or updated, a plain index on openid, users staff typed in, some
// without an openid or a users_id.
async function createLegacyCollections(admin: Awaited<ReturnType<typeof adminClient>>, usersType: "select" | "text") {
  await admin.pb.collections.create({
    name: "tbl_auth_users",
    type: "auth",
    listRule: "",
    fields: [
      { name: "users_id", type: "text" },
      { name: "users_name", type: "text" },
      { name: "users_phone", type: "text" },
      usersType === "select" ? { name: "users_type", type: "select", maxSelect: 1, values: ["游客", "注册用户"] } : { name: "users_type", type: "text" },
      { name: "company_id", type: "text" },
      { name: "openid", type: "text" },
    ],
    indexes: ["CREATE INDEX `idx_legacy_openid` ON `tbl_auth_users` (`openid`)"],
  });
  await admin.pb.collections.create({
    name: "tbl_company",
    type: "base",
    fields: [
      { name: "company_id", type: "text" },
      { name: "company_name", type: "text" },
    ],
  });
}

const legacyPassword = { password: "legacy-password-1", passwordConfirm: "legacy-password-1" };

describe("an instance whose tbl_auth_users and tbl_company predate us", () => {
  it("starts, keeps every record, lets a legacy user log in as themselves, and keeps them after migrate down", async () => {
    const sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
    const stock = await startStock();
    const dataDir = stock.instance.dataDir;
    try {
      await createLegacyCollections(stock.admin, "select");
      const company = await stock.admin.companies.create({ company_id: "C1", company_name: "老公司" });
      const wechatName = uniqueName("legacy");
      const legacyUsers = [
        { users_id: "U20240101000001", users_name: "老用户", users_phone: "13800138000", users_type: "注册用户", company_id: "C1", openid: `osim_${wechatName}`, email: "old@example.com" },
        { users_id: "U20240101000002", users_name: "员工甲", users_type: "游客", openid: "", email: "staff-a@example.com" },
        { users_id: "", users_name: "员工乙", users_type: "游客", openid: "", email: "staff-b@example.com" },
        { users_id: "", users_name: "员工丙", users_type: "", openid: "", email: "staff-c@example.com" },
      ];
      const created = [];
      for (const user of legacyUsers) created.push(await stock.admin.users.create({ ...user, ...legacyPassword }));
      await stock.instance.stop();

      const ours = await startPocketBase({ env: wechatEnv(sim.url), dataDir });
      try {
        const admin = await adminClient(ours.url);
        for (const [index, user] of legacyUsers.entries()) {
          expect(await admin.users.getOne(created[index].id)).toMatchObject(user);
        }
        expect(await admin.countUsers()).toBe(legacyUsers.length);
        expect(await admin.companies.getOne(company.id)).toMatchObject({ company_id: "C1", company_name: "老公司" });

        const { user } = await api(ours.url).signIn(wechatName);
        expect(user).toMatchObject({ pb_id: created[0].id, users_id: "U20240101000001", users_name: "老用户", company: { company_name: "老公司" } });
        expect(await admin.countUsers()).toBe(legacyUsers.length);
      } finally {
        await ours.stop();
      }

      migrateDownAllOfOurs(dataDir);
      const after = await startStock(dataDir);
      try {
        for (const [index, user] of legacyUsers.entries()) {
          expect(await after.admin.users.getOne(created[index].id)).toMatchObject(user);
        }
        expect(await after.admin.companies.getOne(company.id)).toMatchObject({ company_id: "C1", company_name: "老公司" });
      } finally {
        await after.instance.stop();
        after.removeDirs();
      }
    } finally {
      await stock.instance.stop();
      stock.removeDirs();
      stock.instance.remove();
      await sim.close();
    }
  });

  it("with a field of another type, stops with one line that names the field and says what to do, changing nothing", async () => {
    const stock = await startStock();
    const dataDir = stock.instance.dataDir;
    try {
      await createLegacyCollections(stock.admin, "text");
      const user = await stock.admin.users.create({ users_id: "U20240101000001", users_type: "VIP", openid: "o-vip", email: "vip@example.com", ...legacyPassword });
      await stock.instance.stop();

      const failure = await startPocketBase({ env: {}, dataDir }).then(
        () => new Error("PocketBase started"),
        (error: Error) => error,
      );
      expect(failure.message).toMatch(/tbl_auth_users\.users_type is a text field; this version needs a select field\. .*rename/i);

      const after = await startStock(dataDir);
      try {
        expect(await after.admin.users.getOne(user.id)).toMatchObject({ users_type: "VIP", openid: "o-vip" });
        const fields = (await after.admin.pb.collections.getOne("tbl_auth_users")).fields.map((field: { name: string }) => field.name);
        expect(fields).not.toContain("users_status");
      } finally {
        await after.instance.stop();
        after.removeDirs();
      }
    } finally {
      await stock.instance.stop();
      stock.removeDirs();
      stock.instance.remove();
    }
  });
});

describe("migrate down on an instance our migrations created", () => {
  it("keeps a tbl_auth_users that holds users when the up ran under 0.1.0, which kept no record of what pre-existed", async () => {
    const { bin } = ensurePocketBase();
    const migrationsDir = migrationsBefore("9");
    writeFileSync(
      join(migrationsDir, "1769999999_forget_what_preexisted.js"),
      `migrate((app) => { app.db().newQuery("DELETE FROM _params WHERE id = 'bai_preexisting'").execute(); });`,
    );
    const released = await startPocketBase({ env: {}, migrationsDir });
    try {
      const staffMade = await (await adminClient(released.url)).users.create(staffMadeUser("U20250101000001"));
      await released.stop();
      execFileSync(bin, ["migrate", "history-sync", `--dir=${released.dataDir}`, `--migrationsDir=${join(projectRoot, "pb_migrations")}`], { stdio: "pipe" });

      migrateDownAllOfOurs(released.dataDir);
      const after = await startStock(released.dataDir);
      try {
        expect(await after.admin.users.getOne(staffMade.id)).toMatchObject({ users_id: "U20250101000001" });
      } finally {
        await after.instance.stop();
        after.removeDirs();
      }
    } finally {
      released.remove();
      rmSync(migrationsDir, { recursive: true, force: true });
    }
  });

  it("removes tbl_auth_users and tbl_company again", async () => {
    const ours = await startPocketBase({ env: {} });
    await ours.stop();
    try {
      migrateDownAllOfOurs(ours.dataDir);
      const after = await startStock(ours.dataDir);
      try {
        const names = (await after.admin.pb.collections.getFullList()).map((collection: { name: string }) => collection.name);
        expect(names).not.toContain("tbl_auth_users");
        expect(names).not.toContain("tbl_company");
      } finally {
        await after.instance.stop();
        after.removeDirs();
      }
    } finally {
      ours.remove();
    }
  });
});

describe("identities on an instance with users from before them", () => {
  it("gives every user with an openid one identity under WECHAT_APPID, and running it again adds nothing twice", async () => {
    const before = migrationsBefore("1764800000");
    const first = await startPocketBase({ env: { WECHAT_APPID: WECHAT_APP_ID }, migrationsDir: before });
    try {
      const admin = await adminClient(first.url);
      const withOpenid = [];
      for (const n of [1, 2, 3]) withOpenid.push(await admin.users.create({ ...staffMadeUser(`U2025010100010${n}`), openid: `o-existing-${n}`, unionid: n === 1 ? "u-existing-1" : "" }));
      const withoutOpenid = await admin.users.create(staffMadeUser("U20250101000109"));
      await first.stop();

      // Our migrations, and the identities migration once more under another name: a re-run.
      const again = migrationsBefore("9999999999");
      copyFileSync(join(projectRoot, "pb_migrations", "1764800000_bai_identities.js"), join(again, "1764800001_bai_identities_rerun.js"));
      const upgraded = await startPocketBase({ env: { WECHAT_APPID: WECHAT_APP_ID }, dataDir: first.dataDir, migrationsDir: again });
      try {
        const upgradedAdmin = await adminClient(upgraded.url);
        const identities = await upgradedAdmin.pb.collection("tbl_user_identities").getFullList({ sort: "openid" });
        expect(identities.map(({ user, kind, appid, openid, unionid }) => ({ user, kind, appid, openid, unionid }))).toEqual(
          withOpenid.map((user, index) => ({ user: user.id, kind: "miniprogram", appid: WECHAT_APP_ID, openid: `o-existing-${index + 1}`, unionid: index === 0 ? "u-existing-1" : "" })),
        );
        expect(identities.some((identity) => identity.user === withoutOpenid.id)).toBe(false);
        expect(await upgradedAdmin.countUsers()).toBe(4);
      } finally {
        await upgraded.stop();
        rmSync(again, { recursive: true, force: true });
      }
    } finally {
      first.remove();
      rmSync(before, { recursive: true, force: true });
    }
  });
});

describe("registration facts on an instance that ran 0.2.0", () => {
  const facts = {
    users_registered_at: "2026-12-01 08:00:00.000Z",
    users_registered_appid: "wx_old_app",
    users_registered_route: "/api/wechat/login",
    users_registered_ip: "203.0.113.9",
    users_invite_code: "INVITE-1",
    users_claimed_at: "2026-12-02 09:00:00.000Z",
    users_risk_rank: "3",
    users_risk_checked: "2026-12-01 08:00:01.000Z",
  };

  it("move to tbl_user_registrations, leave tbl_auth_users without them, and come back on migrate down", async () => {
    const { bin } = ensurePocketBase();
    const before = migrationsBefore("1765000000");
    const first = await startPocketBase({ env: {}, migrationsDir: before });
    try {
      const admin = await adminClient(first.url);
      const registered = await admin.users.create({ ...staffMadeUser("U20250101000201"), ...facts });
      const staffMade = await admin.users.create(staffMadeUser("U20250101000202"));
      await first.stop();

      const upgraded = await startPocketBase({ env: {}, dataDir: first.dataDir, migrationsDir: join(projectRoot, "pb_migrations") });
      try {
        const upgradedAdmin = await adminClient(upgraded.url);
        const rows = await upgradedAdmin.pb.collection("tbl_user_registrations").getFullList();
        expect(rows.map(({ user, registered_at, registered_appid, registered_route, registered_ip, invite_code, claimed_at, risk_rank, risk_checked }) => ({ user, registered_at, registered_appid, registered_route, registered_ip, invite_code, claimed_at, risk_rank, risk_checked }))).toEqual([
          {
            user: registered.id,
            registered_at: facts.users_registered_at,
            registered_appid: facts.users_registered_appid,
            registered_route: facts.users_registered_route,
            registered_ip: facts.users_registered_ip,
            invite_code: facts.users_invite_code,
            claimed_at: facts.users_claimed_at,
            risk_rank: facts.users_risk_rank,
            risk_checked: facts.users_risk_checked,
          },
        ]);
        const users = await upgradedAdmin.pb.collections.getOne("tbl_auth_users");
        expect(users.fields.map((field: { name: string }) => field.name).filter((name: string) => name in facts)).toEqual([]);
        expect(await upgradedAdmin.users.getOne(staffMade.id)).toMatchObject({ users_id: "U20250101000202" });
      } finally {
        await upgraded.stop();
      }

      execFileSync(bin, ["migrate", "down", "1", `--dir=${first.dataDir}`, `--migrationsDir=${join(projectRoot, "pb_migrations")}`, "--dev=false"], { input: "y\n", stdio: "pipe" });
      const down = await startStock(first.dataDir);
      try {
        expect(await down.admin.users.getOne(registered.id)).toMatchObject(facts);
        const names = (await down.admin.pb.collections.getFullList()).map((collection: { name: string }) => collection.name);
        expect(names).not.toContain("tbl_user_registrations");
      } finally {
        await down.instance.stop();
        down.removeDirs();
      }
    } finally {
      first.remove();
      rmSync(before, { recursive: true, force: true });
    }
  });
});
