// The session (token and user) kept in wx storage so it survives a restart, with an onChange
// listener, after PocketBase's BaseAuthStore. One storage key holds the whole state.
import { isObject } from "./errors";
import type { UserInfo } from "./types";
import type { WxApi } from "./wx";

export type AuthChangeListener = (token: string, user: UserInfo | null) => void;

interface StoredSession {
  token: string;
  user: UserInfo | null;
  /** When this device received the token (ms); its lifetime at receipt bounds the renewal margin. */
  savedAt: number;
}

export class WxStorageAuthStore {
  private session: StoredSession | null;
  private listeners: AuthChangeListener[] = [];

  constructor(
    private readonly wx: Pick<WxApi, "getStorageSync" | "setStorageSync" | "removeStorageSync">,
    private readonly storageKey: string,
    private readonly now: () => number,
  ) {
    this.session = readSession(safely(() => wx.getStorageSync(storageKey)));
  }

  get token(): string {
    return this.session ? this.session.token : "";
  }

  get user(): UserInfo | null {
    return this.session ? this.session.user : null;
  }

  get savedAt(): number {
    return this.session ? this.session.savedAt : 0;
  }

  save(token: string, user: UserInfo | null): void {
    this.write({ token, user, savedAt: this.now() });
  }

  /** Replaces the user and keeps the token. */
  saveUser(user: UserInfo): void {
    if (this.session) this.write({ token: this.session.token, user, savedAt: this.session.savedAt });
  }

  clear(): void {
    if (!this.session) return;
    this.session = null;
    safely(() => this.wx.removeStorageSync(this.storageKey));
    this.notify();
  }

  /** Calls `listener(token, user)` after every change; returns the function that removes it. */
  onChange(listener: AuthChangeListener, fireImmediately = false): () => void {
    this.listeners.push(listener);
    if (fireImmediately) listener(this.token, this.user);
    return () => {
      this.listeners = this.listeners.filter((registered) => registered !== listener);
    };
  }

  private write(session: StoredSession): void {
    this.session = session;
    // A full or failing storage keeps the session in memory for this run rather than failing the call.
    safely(() => this.wx.setStorageSync(this.storageKey, session));
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners.slice()) listener(this.token, this.user);
  }
}

function readSession(stored: unknown): StoredSession | null {
  if (!isObject(stored) || typeof stored.token !== "string" || stored.token === "") return null;
  return {
    token: stored.token,
    user: isObject(stored.user) ? (stored.user as unknown as UserInfo) : null,
    savedAt: typeof stored.savedAt === "number" ? stored.savedAt : 0,
  };
}

function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
