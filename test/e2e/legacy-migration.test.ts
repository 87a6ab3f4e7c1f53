// Our migrations on instances that already hold data: one that ran an earlier release of
// ours, and one whose tbl_auth_users predates us. Each case runs its own real PocketBase.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { startPocketBase } from "../support/pocketbase";

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
