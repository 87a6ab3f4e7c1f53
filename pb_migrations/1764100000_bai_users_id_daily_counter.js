/// <reference path="../.pocketbase/types.d.ts" />

// users_id allocation by a counter row per day instead of reading the day's last users_id.
// Whatever staff type into users_id (the field's pattern allows any U + 12 or more digits)
// or whichever index they drop, registration keeps working: the counter is counted on and
// any value already taken is skipped (see hooks-src/users/users.ts).
//
// The counters live in a plain table rather than a collection: neither the REST API nor the
// admin UI can reach or edit it, no record hooks run on it, and one statement updates it.
// It is in data.db, so backups carry it. PocketBase refuses a collection of the same name.
//
// The (length(users_id), users_id) index of migration 1764000000 only served the old query:
// it is dropped here.

const USERS = "tbl_auth_users";
const COUNTERS = "_bai_users_id_counters";
const LENGTH_INDEX = "idx_tbl_auth_users_users_id_length";
const HELP_BEFORE = "用户编号,U + 注册日期(北京时间 YYYYMMDD)+ 当日序号,登录时自动生成";
const HELP =
  "用户编号:U + 注册日期(北京时间 YYYYMMDD)+ 当日序号(至少 4 位),首次登录时自动生成。" +
  "手动创建用户时可填写任何未被占用的 U + 12 位以上数字;自动编号会跳过已被占用的编号。";

migrate(
  (app) => {
    app
      .db()
      .newQuery(`CREATE TABLE IF NOT EXISTS \`${COUNTERS}\` (prefix TEXT PRIMARY KEY NOT NULL, last_sequence INTEGER NOT NULL)`)
      .execute();

    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !sql.includes(LENGTH_INDEX));
    users.fields.getByName("users_id").help = HELP;
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes
      .filter((sql) => !sql.includes(LENGTH_INDEX))
      .concat(["CREATE INDEX `" + LENGTH_INDEX + "` ON `" + USERS + "` (length(`users_id`), `users_id`)"]);
    users.fields.getByName("users_id").help = HELP_BEFORE;
    app.save(users);

    app.db().newQuery(`DROP TABLE IF EXISTS \`${COUNTERS}\``).execute();
  },
);
