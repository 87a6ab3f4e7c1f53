// The access token is shared by every goja VM through $app.store(), so one stable_token
// call serves the whole process until five minutes before the token expires.
export interface AccessTokenCache {
  get(): string | undefined;
  set(token: string, expiresInSeconds: number): void;
  // Forgets the token, unless another VM already replaced it with a newer one.
  discard(staleToken: string): void;
}

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

const STORE_KEY = "bai.wechat.accessToken";
const REFRESH_MARGIN_SECONDS = 5 * 60;

export function storeAccessTokenCache(store: store.Store<string, any> = $app.store(), now: () => number = Date.now): AccessTokenCache {
  return {
    get() {
      const cached = store.get(STORE_KEY) as CachedToken | null | undefined;
      return cached && now() < cached.refreshAtMs ? cached.token : undefined;
    },
    set(token, expiresInSeconds) {
      const lifetimeSeconds = expiresInSeconds > 2 * REFRESH_MARGIN_SECONDS ? expiresInSeconds - REFRESH_MARGIN_SECONDS : expiresInSeconds / 2;
      store.set(STORE_KEY, { token, refreshAtMs: now() + lifetimeSeconds * 1000 } satisfies CachedToken);
    },
    discard(staleToken) {
      store.setFunc(STORE_KEY, (cached: CachedToken | null | undefined) => (cached && cached.token === staleToken ? null : cached));
    },
  };
}
