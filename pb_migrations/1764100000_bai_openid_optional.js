/// <reference path="../.pocketbase/types.d.ts" />

// Empty openids are legitimate: users staff create by hand, and erased accounts. 0.1.0 made
// openid required and unique over every value, so a second such user could not be saved.
// Brings an instance that already ran 0.1.0 to what the first migration now creates:
// openid optional, unique only among non-empty values.

const USERS = "tbl_auth_users";
const INDEX = "idx_tbl_auth_users_openid";
const PARTIAL_UNIQUE = "CREATE UNIQUE INDEX `" + INDEX + "` ON `" + USERS + "` (`openid`) WHERE `openid` != ''";

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.fields.getByName("openid").required = false;
    users.indexes = users.indexes.filter((sql) => !sql.includes(INDEX)).concat([PARTIAL_UNIQUE]);
    app.save(users);
  },
  () => {
    // Nothing to undo: the first migration's own shape is the partial index, and putting back
    // the full one would fail as soon as two users have no openid.
  },
);
