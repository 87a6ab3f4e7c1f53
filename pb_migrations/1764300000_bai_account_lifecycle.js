/// <reference path="../.pocketbase/types.d.ts" />

// The account lifecycle: deletion (注销) with a cooling-off period, and the denylist of
// tokens revoked by a `current` logout. Converges like the earlier migrations.

const USERS = "tbl_auth_users";
const REVOKED_TOKENS = "bai_revoked_tokens";
const STATUSES = ["正常", "禁用", "注销中", "已注销"];
const DUE_INDEX = "idx_tbl_auth_users_users_deletion_due";

function findOrNewCollection(app, type, name) {
  try {
    return app.findCollectionByNameOrId(name);
  } catch {
    return new Collection({ type, name });
  }
}

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const status = users.fields.getByName("users_status");
    status.values = STATUSES;
    status.help =
      "正常;禁用:无法登录,已签发的 token 立即失效;注销中:冷静期内,到期后定时任务清除个人信息,用户重新登录即撤销;" +
      "已注销:个人信息已清除,不可恢复。改为「注销中」即为该用户发起注销,改回「正常」即撤销";
    if (!users.fields.getByName("users_deletion_due")) {
      users.fields.addAt(
        users.fields.fieldNames().indexOf("users_status") + 1,
        new DateField({ name: "users_deletion_due", help: "注销到期时间:设为「注销中」时自动填写(可改),到期后清除个人信息;撤销注销时清空" }),
      );
    }
    users.indexes = users.indexes
      .filter((sql) => !sql.includes(DUE_INDEX))
      .concat([`CREATE INDEX \`${DUE_INDEX}\` ON \`${USERS}\` (\`users_deletion_due\`) WHERE \`users_deletion_due\` != ''`]);
    app.save(users);

    const revoked = findOrNewCollection(app, "base", REVOKED_TOKENS);
    revoked.listRule = null;
    revoked.viewRule = null;
    revoked.createRule = null;
    revoked.updateRule = null;
    revoked.deleteRule = null;
    if (!revoked.fields.getByName("token_hash")) {
      revoked.fields.add(
        new TextField({ name: "token_hash", required: true, max: 64, help: "SHA-256 of a token revoked by a logout; never the token itself" }),
        new TextField({ name: "pb_id", max: 32, help: "the tbl_auth_users record id the token belonged to" }),
        new DateField({ name: "expires", required: true, help: "the token's own expiry; the entry is swept after it" }),
        new AutodateField({ name: "created", onCreate: true, onUpdate: false }),
      );
    }
    revoked.indexes = [
      `CREATE UNIQUE INDEX \`idx_${REVOKED_TOKENS}_token_hash\` ON \`${REVOKED_TOKENS}\` (\`token_hash\`)`,
      `CREATE INDEX \`idx_${REVOKED_TOKENS}_expires\` ON \`${REVOKED_TOKENS}\` (\`expires\`)`,
    ];
    app.save(revoked);
  },
  (app) => {
    try {
      app.delete(app.findCollectionByNameOrId(REVOKED_TOKENS));
    } catch {
      // already gone
    }
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes(DUE_INDEX));
    users.fields.removeByName("users_deletion_due");
    users.fields.getByName("users_status").values = ["正常", "禁用"];
    app.save(users);
  },
);
