/// <reference path="../.pocketbase/types.d.ts" />

// Lets a registration find the day's last users_id without sorting the whole day inside
// the write transaction: users_id sequences past 9999 grow a fifth digit, so "last" means
// longest first, then greatest, which this index serves in order.

const USERS = "tbl_auth_users";
const INDEX = "idx_tbl_auth_users_users_id_length";

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes
      .filter((sql) => !sql.includes(INDEX))
      .concat(["CREATE INDEX `" + INDEX + "` ON `" + USERS + "` (length(`users_id`), `users_id`)"]);
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes(INDEX));
    app.save(users);
  },
);
