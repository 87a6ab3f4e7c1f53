// The same login code within 10 s is answered 429 without calling WeChat. Claims live in
// $app.store() so every VM sees them; setFunc runs under the store's lock, which makes
// the claim atomic for concurrent duplicates. A cron job sweeps expired claims.
export const LOGIN_CODE_CLAIM_MS = 10_000;
const KEY_PREFIX = "bai.loginCode.";

export interface LoginCodeClaim {
  // For a code WeChat never used (its answer was lost in transit): the same code may be
  // tried again at once. Releases only this claim, never a later one of the same code.
  release(): void;
}

export function claimLoginCode(code: string, store: store.Store<string, any> = $app.store(), now = Date.now()): LoginCodeClaim | null {
  const key = KEY_PREFIX + code;
  const claimedUntil = now + LOGIN_CODE_CLAIM_MS;
  let claimed = false;
  store.setFunc(key, (current: number | null | undefined) => {
    if (typeof current === "number" && current > now) return current;
    claimed = true;
    return claimedUntil;
  });
  if (!claimed) return null;
  return { release: () => store.setFunc(key, (current: number | null | undefined) => (current === claimedUntil ? 0 : current)) };
}

export function sweepExpiredLoginCodeClaims(store: store.Store<string, any> = $app.store(), now = Date.now()): void {
  for (const key of store.keys()) {
    if (key.startsWith(KEY_PREFIX) && !(store.get(key) > now)) store.remove(key);
  }
}
