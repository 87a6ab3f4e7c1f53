/// <reference path="../.pocketbase/types.d.ts" />

// Staff look users up by phone in the admin UI all day. With a filter such as
// users_phone = "13800138000" this index answers at once; without it every lookup reads
// the whole table (hundreds of ms at a million users, see docs/benchmarks.md); users_id has
// its own (1764600000). A plain search-box term becomes `field ~ "term"` on every column
// (LIKE '%term%'), which no index can serve.

const USERS = "tbl_auth_users";
const INDEX = "idx_tbl_auth_users_users_phone";

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes
      .filter((sql) => !sql.includes(INDEX))
      .concat(["CREATE INDEX `" + INDEX + "` ON `" + USERS + "` (`users_phone`)"]);
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes(INDEX));
    app.save(users);
  },
);
