// The (timestamp, nonce) pairs WeChat pushes have used, so that no signature authorises a second
// request: a handshake's, a push's (accepted or refused once its signature verified), or one read
// from a log. They are rows of the _bai_push_nonces table in data.db (migration 1764710000), so a
// restart forgets none: like the users_id counters, a plain table rather than a collection, which
// neither the REST API nor the admin UI can reach (nobody can delete a row to re-open a replay),
// no record hooks run on, and one statement claims atomically against concurrent duplicates.
// A cron job deletes the rows whose timestamp can no longer pass the window.
//
// A push whose handling failed (our fault) is given back for WeChat's retry, but only for the very
// same body: 明文模式's signature does not cover the body, so another body under it is a forgery.
export const PUSH_NONCES_TABLE = "_bai_push_nonces";

export interface PushNonces {
  // Uses up `key` for a request with this body. False when it was used before, unless it was
  // given back for a retry of exactly this body.
  claim(key: string, body: string, keepUntilMs: number): boolean;
  // Lets one more request with exactly this body claim `key`.
  giveBackForRetryOf(key: string, body: string): void;
}

// The digest is never empty, and an empty retry_digest matches no request.
const digestOf = (body: string) => $security.sha256(body);

export function storedPushNonces(app: CoreApp = $app): PushNonces {
  return {
    claim(key, body, keepUntilMs) {
      const result = app
        .db()
        .newQuery(
          `INSERT INTO ${PUSH_NONCES_TABLE} (nonce_key, expires_ms, retry_digest) VALUES ({:key}, {:expires}, '')
           ON CONFLICT (nonce_key) DO UPDATE SET retry_digest = '' WHERE retry_digest = {:digest}`,
        )
        .bind({ key, expires: keepUntilMs, digest: digestOf(body) })
        .execute();
      return result.rowsAffected() === 1;
    },
    giveBackForRetryOf(key, body) {
      app.db().newQuery(`UPDATE ${PUSH_NONCES_TABLE} SET retry_digest = {:digest} WHERE nonce_key = {:key}`).bind({ key, digest: digestOf(body) }).execute();
    },
  };
}

export function sweepExpiredPushNonces(app: CoreApp = $app, nowMs = Date.now()): void {
  app.db().newQuery(`DELETE FROM ${PUSH_NONCES_TABLE} WHERE expires_ms <= {:now}`).bind({ now: nowMs }).execute();
}
