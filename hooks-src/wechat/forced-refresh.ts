// Forcing a new access token (stable_token with force_refresh) invalidates the token every VM is
// using. WeChat allows it 20 times a day, at least 30 s apart: a sooner call is not refreshed, and
// past the cap it answers 45009 until midnight (getStableAccessToken's docs). The process keeps one
// record of it in $app.store(), claimed under the store's lock, so at most one forced refresh is in
// flight, none starts within 30 s of the last, and at most the daily budget run a day: fewer than
// WeChat's 20, which leaves some for ops to revoke a leaked token by hand.
import { appStore } from "../app-store";

export const WECHAT_DAILY_FORCED_REFRESH_CAP = 20;
export const DEFAULT_DAILY_FORCED_REFRESH_BUDGET = 15;
export const FORCED_REFRESH_SPACING_MS = 30_000;
// From this many left, every forced refresh logs an error rather than a warning.
export const FEW_FORCED_REFRESHES_LEFT = 5;

const storeKeyOf = (appId: string) => (appId === "" ? "bai.wechat.forcedRefresh" : `bai.wechat.forcedRefresh.${appId}`);
const DAY_MS = 24 * 60 * 60 * 1000;
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

export interface ForcedRefreshRecord {
  day: number;
  used: number;
  inFlightUntilMs: number;
  lastStartedAtMs: number;
  spentReported: boolean;
}

export type ForcedRefreshDecision =
  | { kind: "go"; usedToday: number } // this VM forces the refresh now
  | { kind: "in-flight"; untilMs: number } // another VM is forcing one: wait for its token
  | { kind: "too-soon" } // one started under 30 s ago
  | { kind: "spent"; firstRefusal: boolean }; // today's budget is used up

// WeChat's daily quotas restart at midnight, Beijing time.
export const beijingDay = (nowMs: number) => Math.floor((nowMs + BEIJING_OFFSET_MS) / DAY_MS);

export function decideForcedRefresh(
  record: ForcedRefreshRecord | null | undefined,
  nowMs: number,
  dailyBudget: number,
  inFlightMs: number,
): { decision: ForcedRefreshDecision; next: ForcedRefreshRecord } {
  const current = todaysRecord(record, nowMs);
  if (current.inFlightUntilMs > nowMs) return { decision: { kind: "in-flight", untilMs: current.inFlightUntilMs }, next: current };
  if (current.used >= dailyBudget) {
    return { decision: { kind: "spent", firstRefusal: !current.spentReported }, next: { ...current, spentReported: true } };
  }
  if (nowMs - current.lastStartedAtMs < FORCED_REFRESH_SPACING_MS) return { decision: { kind: "too-soon" }, next: current };
  const used = current.used + 1;
  return { decision: { kind: "go", usedToday: used }, next: { ...current, used, inFlightUntilMs: nowMs + inFlightMs, lastStartedAtMs: nowMs } };
}

// Records come back from the store as Go maps: their fields are copied rather than spread.
function todaysRecord(record: ForcedRefreshRecord | null | undefined, nowMs: number): ForcedRefreshRecord {
  const today = beijingDay(nowMs);
  if (!record) return { day: today, used: 0, inFlightUntilMs: 0, lastStartedAtMs: -Infinity, spentReported: false };
  const sameDay = record.day === today;
  return {
    day: today,
    used: sameDay ? record.used : 0,
    inFlightUntilMs: record.inFlightUntilMs,
    lastStartedAtMs: record.lastStartedAtMs,
    spentReported: sameDay ? record.spentReported : false,
  };
}

export interface ForcedRefreshGate {
  readonly dailyBudget: number;
  claim(): ForcedRefreshDecision;
  // The claimed refresh is over, whatever its outcome.
  finish(): void;
  isInFlight(): boolean;
  // WeChat answered 45009: no more forced refreshes today, whatever our own count says.
  dailyCapReached(): void;
}

export function storeForcedRefreshGate(
  dailyBudget: number,
  inFlightMs: number,
  store: store.Store<string, any> = appStore(),
  now: () => number = Date.now,
  // Each appid has its own budget: WeChat counts forced refreshes per appid.
  appId = "",
): ForcedRefreshGate {
  const STORE_KEY = storeKeyOf(appId);
  return {
    dailyBudget,
    claim() {
      let decision: ForcedRefreshDecision | undefined;
      store.setFunc(STORE_KEY, (record: ForcedRefreshRecord | null | undefined) => {
        const outcome = decideForcedRefresh(record, now(), dailyBudget, inFlightMs);
        decision = outcome.decision;
        return outcome.next;
      });
      return decision!;
    },
    finish() {
      store.setFunc(STORE_KEY, (record: ForcedRefreshRecord | null | undefined) => ({ ...todaysRecord(record, now()), inFlightUntilMs: 0 }));
    },
    isInFlight() {
      const record = store.get(STORE_KEY) as ForcedRefreshRecord | null | undefined;
      return Boolean(record && record.inFlightUntilMs > now());
    },
    dailyCapReached() {
      store.setFunc(STORE_KEY, (record: ForcedRefreshRecord | null | undefined) => {
        const today = todaysRecord(record, now());
        return { ...today, used: Math.max(today.used, dailyBudget), spentReported: true };
      });
    },
  };
}
