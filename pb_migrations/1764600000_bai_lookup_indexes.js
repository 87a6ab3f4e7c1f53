/// <reference path="../.pocketbase/types.d.ts" />

// openid and users_id are unique only among non-empty values: partial indexes, which SQLite
// uses only for a query that repeats their `!= ''`. A login's `openid = ?`, a registration's
// check of a users_id, and staff's filter `users_id = "U…"` in the admin UI don't, and read
// the whole table (hundreds of milliseconds at a million users). A plain index on each serves
// every such lookup; the partial ones keep enforcing uniqueness. An instance whose table
// predates us may already have one (PocketBase refuses a second of the same definition).

const USERS = "tbl_auth_users";
const LOOKUP_INDEXES = [
  { name: "idx_tbl_auth_users_lookup_openid", column: "openid" },
  { name: "idx_tbl_auth_users_lookup_users_id", column: "users_id" },
];

const definitionOf = ({ name, column }) => "CREATE INDEX `" + name + "` ON `" + USERS + "` (`" + column + "`)";
const isOurs = (sql) => LOOKUP_INDEXES.some(({ name }) => sql.includes("`" + name + "`"));
// A whole-table index whose only column is `column`, unique or not.
const servesLookupsOf = (column) => (sql) =>
  new RegExp("^CREATE\\s+(UNIQUE\\s+)?INDEX\\s+.*\\bON\\s+`?" + USERS + "`?\\s*\\(\\s*`?" + column + "`?\\s*\\)\\s*$", "i").test(sql.trim());

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const others = users.indexes.filter((sql) => !isOurs(sql));
    const missing = LOOKUP_INDEXES.filter(({ column }) => !others.some(servesLookupsOf(column)));
    users.indexes = others.concat(missing.map(definitionOf));
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.indexes = users.indexes.filter((sql) => !isOurs(sql));
    app.save(users);
  },
);
