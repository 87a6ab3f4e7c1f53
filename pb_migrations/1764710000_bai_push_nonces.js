/// <reference path="../.pocketbase/types.d.ts" />

// The (timestamp, nonce) pairs WeChat pushes have used (hooks-src/push/push-nonces.ts), stored so
// that a captured push or handshake is refused after a restart too. Until now they lived in
// $app.store() alone.
//
// A plain table rather than a collection, like the users_id counters: neither the REST API nor
// the admin UI can reach or edit it, no record hooks run on it, and one statement claims a pair.
// It is in data.db, so backups carry it. expires_ms is Unix time in ms; a cron job deletes the
// rows past it.

const NONCES = "_bai_push_nonces";

migrate(
  (app) => {
    app
      .db()
      .newQuery(
        `CREATE TABLE IF NOT EXISTS \`${NONCES}\` (nonce_key TEXT PRIMARY KEY NOT NULL, expires_ms INTEGER NOT NULL, retry_digest TEXT NOT NULL DEFAULT '')`,
      )
      .execute();
    app.db().newQuery(`CREATE INDEX IF NOT EXISTS \`idx_${NONCES}_expires_ms\` ON \`${NONCES}\` (expires_ms)`).execute();
  },
  (app) => {
    app.db().newQuery(`DROP TABLE IF EXISTS \`${NONCES}\``).execute();
  },
);
