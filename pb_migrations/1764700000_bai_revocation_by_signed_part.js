/// <reference path="../.pocketbase/types.d.ts" />

// The denylist of `current` logouts now knows a token by the hash of its signed part, which no
// re-spelling of the signature changes, instead of the hash of its whole text. An entry of the old
// kind can't be converted (only the hash was kept), so its user's token key is rotated instead:
// a token logged out before this version stays dead, at the price of the user's other sessions.
// Written in SQL, so that no hook takes the rotation for a staff edit.

migrate(
  (app) => {
    const rows = arrayOf(new DynamicModel({ pb_id: "" }));
    app.db().newQuery("SELECT DISTINCT pb_id FROM bai_revoked_tokens WHERE expires > {:now}").bind({ now: new Date().toISOString().replace("T", " ") }).all(rows);
    for (const { pb_id } of rows) {
      app.db().newQuery("UPDATE tbl_auth_users SET tokenKey = {:key} WHERE id = {:id}").bind({ key: $security.randomString(50), id: pb_id }).execute();
    }
    app.db().newQuery("DELETE FROM bai_revoked_tokens").execute();
  },
  () => {
    // Entries of the new kind are refused by the old code only by the user's next `all` logout;
    // nothing here can turn them back into whole-token hashes.
  },
);
