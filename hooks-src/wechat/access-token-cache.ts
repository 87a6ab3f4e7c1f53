// The access token is shared by every goja VM through $app.store(). WeChat hands out the next
// token once the current one has 5 minutes left, and both work until the old one expires
// (getStableAccessToken's docs: "平台会提前5分钟更新access_token … 新旧access_token都可用"). So the
// token is refetched just inside that window: one stable_token call per rotation for the process.
import { appStore } from "../app-store";
export interface AccessTokenCache {
  get(): string | undefined;
  set(token: string, expiresInSeconds: number): void;
  // Forgets the token, unless another VM already replaced it with a newer one.
  discard(staleToken: string): void;
  // After a forced refresh. The old token is never cached again: a VM whose stable_token answer
  // left WeChat before the refresh would otherwise put it back for everyone.
  replaceForcedAway(oldToken: string, newToken: string, expiresInSeconds: number): void;
}

interface CachedToken {
  token: string | null;
  refreshAtMs: number;
  forcedAway: string | null;
}

const storeKeyOf = (appId: string) => (appId === "" ? "bai.wechat.accessToken" : `bai.wechat.accessToken.${appId}`);
const ROTATION_WINDOW_SECONDS = 300;
const USUAL_LIFETIME_SECONDS = 7200;
// A little inside the window, so rounding of expires_in and clock drift can't land the refetch
// just before it, where WeChat would hand back the same token.
const SHARE_OF_WINDOW_WAITED = 0.9;

// Lifetimes of 5 minutes or less never come from WeChat (its expires_in is at least 300); a
// short-lived test simulator gets the same share of them, 5 minutes of 2 hours.
export function secondsUntilRefetch(expiresInSeconds: number): number {
  const window =
    expiresInSeconds > ROTATION_WINDOW_SECONDS ? ROTATION_WINDOW_SECONDS : (expiresInSeconds * ROTATION_WINDOW_SECONDS) / USUAL_LIFETIME_SECONDS;
  return expiresInSeconds - window * SHARE_OF_WINDOW_WAITED;
}

// Each appid has its own token: appId names the store key.
export function storeAccessTokenCache(store: store.Store<string, any> = appStore(), now: () => number = Date.now, appId = ""): AccessTokenCache {
  const STORE_KEY = storeKeyOf(appId);
  const cached = (token: string | null, expiresInSeconds: number, forcedAway: string | null): CachedToken => ({
    token,
    refreshAtMs: now() + secondsUntilRefetch(expiresInSeconds) * 1000,
    forcedAway,
  });
  return {
    get() {
      const entry = store.get(STORE_KEY) as CachedToken | null | undefined;
      return entry && entry.token && now() < entry.refreshAtMs ? entry.token : undefined;
    },
    set(token, expiresInSeconds) {
      store.setFunc(STORE_KEY, (entry: CachedToken | null | undefined) =>
        entry && entry.forcedAway === token ? entry : cached(token, expiresInSeconds, entry ? entry.forcedAway : null),
      );
    },
    discard(staleToken) {
      store.setFunc(STORE_KEY, (entry: CachedToken | null | undefined) =>
        entry && entry.token === staleToken ? { token: null, refreshAtMs: 0, forcedAway: entry.forcedAway } : entry,
      );
    },
    replaceForcedAway(oldToken, newToken, expiresInSeconds) {
      store.set(STORE_KEY, cached(newToken, expiresInSeconds, oldToken));
    },
  };
}
