// The same login code within 10 s is not sent to WeChat again. Claims live in $app.store() so
// every VM sees them; setFunc runs under the store's lock, which makes the claim atomic for
// concurrent duplicates. A cron job sweeps expired claims.
//
// A replay gets the answer WeChat's verdict on the code got (40163 used, 40029 invalid, 40226
// blocked, and the errcodes that are not about the code: 45011, -1, our misconfiguration), so a
// client learns the same thing however often it asks; while WeChat has not answered yet, or
// once it accepted the code (a token is never kept to be handed out again), it gets 429.
import { appStore } from "../app-store";
import { ApiFailure, failures } from "../errors";

export const LOGIN_CODE_CLAIM_MS = 10_000;
const KEY_PREFIX = "bai.loginCode.";

// A claim is its expiry alone, the cheapest value to keep; one WeChat answered about keeps that
// answer beside it, as the JSON of the envelope's parts.
interface AnsweredClaim {
  until: number;
  answer: string;
}
type StoredClaim = number | AnsweredClaim;

export interface LoginCodeClaim {
  // For a code WeChat never used (its answer was lost in transit): the same code may be
  // tried again at once. Releases only this claim, never a later one of the same code.
  release(): void;
  // WeChat's errcode about the code, as answered: replays get it for the rest of this claim.
  remember(answer: ApiFailure): void;
}

function expiryOf(claim: StoredClaim | null | undefined): number {
  if (typeof claim === "number") return claim;
  return claim && typeof claim.until === "number" ? claim.until : 0;
}

// Throws what a replay is answered when the code is claimed already.
export function claimLoginCode(code: string, store: store.Store<string, any> = appStore(), now = Date.now()): LoginCodeClaim {
  const key = KEY_PREFIX + code;
  const claimedUntil = now + LOGIN_CODE_CLAIM_MS;
  let live: StoredClaim | null = null;
  store.setFunc(key, (current: StoredClaim | null | undefined) => {
    if (expiryOf(current) > now) {
      live = current!;
      return current;
    }
    return claimedUntil;
  });
  if (live !== null) throw replayAnswer(live);
  const ifStillOurs = (change: (current: StoredClaim) => StoredClaim) =>
    store.setFunc(key, (current: StoredClaim | null | undefined) => (current != null && expiryOf(current) === claimedUntil ? change(current) : current));
  return {
    release: () => ifStillOurs(() => 0),
    remember: (answer) =>
      ifStillOurs(() => ({
        until: claimedUntil,
        answer: JSON.stringify({ status: answer.status, msg: answer.msg, data: answer.data, error: answer.error }),
      })),
  };
}

function replayAnswer(claim: StoredClaim): ApiFailure {
  if (typeof claim === "number") return failures.duplicateLoginCode();
  const { status, msg, data, error } = JSON.parse(claim.answer);
  return new ApiFailure(status, msg, data, error);
}

export function sweepExpiredLoginCodeClaims(store: store.Store<string, any> = appStore(), now = Date.now()): void {
  for (const key of store.keys()) {
    if (key.startsWith(KEY_PREFIX) && !(expiryOf(store.get(key)) > now)) store.remove(key);
  }
}
