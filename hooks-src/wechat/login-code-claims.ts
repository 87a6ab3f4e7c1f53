// The same login code within 10 s is answered 429 without calling WeChat. Claims live in
// $app.store() so every VM sees them; setFunc runs under the store's lock, which makes
// the claim atomic for concurrent duplicates. A cron job sweeps expired claims.
export const LOGIN_CODE_CLAIM_MS = 10_000;
const KEY_PREFIX = "bai.loginCode.";

export function claimLoginCode(code: string, store: store.Store<string, any> = $app.store(), now = Date.now()): boolean {
  let claimed = false;
  store.setFunc(KEY_PREFIX + code, (claimedUntil: number | null | undefined) => {
    if (typeof claimedUntil === "number" && claimedUntil > now) return claimedUntil;
    claimed = true;
    return now + LOGIN_CODE_CLAIM_MS;
  });
  return claimed;
}

export function sweepExpiredLoginCodeClaims(store: store.Store<string, any> = $app.store(), now = Date.now()): void {
  for (const key of store.keys()) {
    if (key.startsWith(KEY_PREFIX) && !(store.get(key) > now)) store.remove(key);
  }
}
