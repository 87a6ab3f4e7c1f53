/// <reference path="../.pocketbase/types.d.ts" />

// The erasure cron also looks for 注销中 accounts without a due date (none should exist: they
// come only from before the rule that every 注销中 account has one, or from an edit of the
// database itself). This partial index holds just those, so the look-up reads no table.

const USERS = "tbl_auth_users";
const INDEX = "idx_tbl_auth_users_undated_deletions";
const DEFINITION =
  "CREATE INDEX `" + INDEX + "` ON `" + USERS + "` (`updated`) WHERE `users_deletion_due` = '' AND `users_status` = '注销中'";

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes("`" + INDEX + "`")).concat([DEFINITION]);
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes("`" + INDEX + "`"));
    app.save(users);
  },
);
