// The BAI client for a WeChat mini-program.
//
// How a call gets its token:
// 1. No session yet: one wx.login, then POST /api/wechat/login.
// 2. A session within its renewal margin (read from the token's `exp`): POST /api/wechat/refresh-token
//    first. An expired token is refreshed too: the server, not the device clock, decides it is dead.
//    If that early refresh gets no answer while the token is still unexpired, the call uses it anyway.
// 3. An answer of 401: one renewal (as in 2), then the call is sent once more with the new token.
// 4. A refresh answered 401 or 404 (token void, user deleted): one fresh wx.login and login.
// Login and refresh are single-flight: while one is in progress every caller waits on the same promise,
// so ten parallel 401s cost one refresh and wx.login (rate-limited per user) runs only when needed.
// A login whose code WeChat already saw (429 duplicate, 400 used/invalid code) gets one new code.
// Only an explicit login() may cancel a pending account deletion: every login the SDK makes by
// itself says cancel_deletion: false, so on another device BAI answers 403 注销中 instead; and after
// deleteAccount() on this device the SDK does not even try.
import { WxStorageAuthStore, type AuthChangeListener } from "./auth-store";
import { ACCOUNT_UNAVAILABLE_ERRORS, BaiClientError, isObject } from "./errors";
import { wechatAcceptLanguage } from "./language";
import { isRenewalDue as isTokenRenewalDue, tokenExpiry } from "./token";
import { queryString, type QueryParams } from "./query";
import type { RealtimeOptions } from "./realtime";
import { sendRequest, sendUpload, wxLoginCode, type HttpRequest, type HttpResponse, type UploadRequest } from "./transport";
import type { BindIdentityResult, DeleteAccountResult, Identity, LoginResponse, LoginResult, LogoutScope, PhoneLoginResult, PostPath, ProfileFieldsRequest, ProfileResponse, ProfileResult, RefreshResult, RequestBodyOf, SuccessBodyOf, UserInfo } from "./types";
import type { ConsentItem, ConsentOverview, ConsentSource, MyData } from "./types";
import type { WxApi } from "./wx";

export interface ClientOptions {
  /** Where BAI is: `https://<host>/pb` behind the proxy, `http://127.0.0.1:8090` locally. */
  baseUrl: string;
  /** The `wx` object; defaults to the mini-program's global `wx`. */
  wx?: WxApi;
  /** The wx storage key of the session. Default `bai_auth`. */
  storageKey?: string;
  /** Timeout of each request and of wx.login, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Renew the token this many seconds before `exp` (at most half its lifetime). Default 86 400. */
  refreshMarginSeconds?: number;
  /** The clock, in ms; tests pass their own. */
  now?: () => number;
  /**
   * The Accept-Language of every request, which picks the language of BAI's messages (zh-CN or en).
   * Default: the language the user set in WeChat (`wx.getAppBaseInfo().language`, `zh_CN` sent as `zh-CN`);
   * `""` sends none (BAI then answers in zh-CN).
   */
  language?: string;
  /** How realtime subscriptions behave (createClient only). */
  realtime?: RealtimeOptions;
  /**
   * This mini-program's appid, when BAI serves several WeChat apps (`WECHAT_APPS` on the server) and this is
   * not the primary one. Sent with every login, and what `bindIdentity` binds. Default: the primary mini-program.
   */
  appid?: string;
}

export interface RequestOptions<Body = unknown> {
  /** Default GET without a body, POST with one. */
  method?: HttpRequest["method"];
  /** Sent as JSON. */
  body?: Body;
  /** Serialized as PocketBase's SDK does: arrays repeat the key, null and undefined are left out. */
  query?: QueryParams;
  headers?: Record<string, string>;
  /** Send the session's token (logging in first if needed) and renew it once on 401. Default true. */
  auth?: boolean;
}

/** The options of a request that is not a POST to a path of the contract: a POST there is typed by the first overload. */
export type OtherRequestOptions<P extends string> = P extends PostPath ? RequestOptions<never> & { method: Exclude<HttpRequest["method"], "POST"> } : RequestOptions;

export interface LoginOptions {
  /** A staff invite code (`invite_code`): lets a new user register whatever the server's policy, and joins its company. */
  inviteCode?: string;
}

/**
 * Any of the three; all three go to POST /api/wechat/profile as one update, fewer to
 * POST /api/wechat/profile/fields, which changes only those (and calls WeChat's phone API only for a phoneCode).
 */
export interface ProfileUpdate {
  /** From `<input type="nickname">` or typed by the user. */
  name?: string;
  /** `e.detail.code` of `<button open-type="getPhoneNumber">`. */
  phoneCode?: string;
  /** An http(s) URL, e.g. the one uploadAvatar answers. */
  picture?: string;
}


// The avatar route is not in spec/openapi.yaml yet; its generated type replaces this once it is.
interface AvatarUploadAnswer {
  code: number;
  msg: string;
  data: { url: string };
}


const REJECTED_LOGIN_CODE_FIELD_CODES = ["wechat_code_used", "wechat_code_invalid"];

export type BaiAuthClient = ReturnType<typeof createAuthClient>;

/** What records and realtime build on: the session's transport, token and renewal. */
export type Session = ReturnType<typeof createSession>["internals"];

/**
 * The client without PocketBase's records API and realtime: sign-in, session, profile and `request`.
 * `createClient` adds the rest; a bundler that tree-shakes leaves those out when only this is imported.
 */
export function createAuthClient(options: ClientOptions) {
  return createSession(options).client;
}

export function createSession(options: ClientOptions) {
  const wx: WxApi = options.wx || globalWx();
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs || 10_000;
  const refreshMarginSeconds = options.refreshMarginSeconds === undefined ? 86_400 : options.refreshMarginSeconds;
  const now = options.now || Date.now;
  const authStore = new WxStorageAuthStore(wx, options.storageKey || "bai_auth", now);

  const urlOf = (path: string, query?: QueryParams) => baseUrl + (path.charAt(0) === "/" ? path : "/" + path) + queryString(query);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const acceptLanguage = options.language === undefined ? wechatAcceptLanguage(wx) : options.language;
  const languageHeaders: Record<string, string> = acceptLanguage ? { "accept-language": acceptLanguage } : {};
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    sendRequest(wx, { method: "POST", url: urlOf(path), headers: { ...languageHeaders, ...headers }, body }, timeoutMs);

  const deletionMarkerKey = (options.storageKey || "bai_auth") + "_deletion_requested";

  // wx.login, then `path` with the code; once more with a new code when WeChat or BAI already saw it.
  async function signInWithFreshCode<Result>(path: "/api/wechat/login" | "/api/wechat/phone-login", bodyWith: (code: string) => object): Promise<Result> {
    let triedNewCode = false;
    for (;;) {
      const code = await wxLoginCode(wx, timeoutMs);
      const response = await post(path, bodyWith(code));
      if (response.status === 200) {
        const answer = readAuthAnswer(urlOf(path), response) as LoginResponse;
        authStore.save(answer.token, answer.meta.data.user);
        return answer.meta.data as Result;
      }
      if (!triedNewCode && loginCodeWasRejected(response)) {
        triedNewCode = true;
        continue;
      }
      if (isAccountRefusal(response)) authStore.clear();
      throw errorFrom(urlOf(path), response);
    }
  }

  // One in flight of each kind: the user's own login must not share the answer of an automatic one.
  const loginWithFreshCode =
    (cancelDeletion: boolean, inviteCode?: string) => (): Promise<LoginResult> =>
      signInWithFreshCode("/api/wechat/login", (code) => ({
        users_wx_code: code,
        ...(cancelDeletion ? {} : { cancel_deletion: false }),
        ...(inviteCode ? { invite_code: inviteCode } : {}),
        ...(options.appid ? { appid: options.appid } : {}),
      }));
  const chosenLogin = singleFlight(loginWithFreshCode(true));
  const implicitLogin = singleFlight(loginWithFreshCode(false));

  const refresh = singleFlight(async (): Promise<RefreshResult> => {
    const token = authStore.token;
    if (!token) return automaticLogin();
    const response = await post("/api/wechat/refresh-token", undefined, bearer(token));
    if (response.status === 200) {
      const answer = readAuthAnswer(urlOf("/api/wechat/refresh-token"), response);
      authStore.save(answer.token, answer.meta.data.user);
      return answer.meta.data;
    }
    if (response.status === 401 || response.status === 404) {
      authStore.clear();
      return automaticLogin();
    }
    if (isAccountRefusal(response)) authStore.clear();
    throw errorFrom(urlOf("/api/wechat/refresh-token"), response);
  });

  /** The user asked for it: logging in again also cancels an account deletion in its cooling-off period. */
  async function login(loginOptions: LoginOptions = {}): Promise<LoginResult> {
    const result = await (loginOptions.inviteCode ? loginWithFreshCode(true, loginOptions.inviteCode)() : chosenLogin());
    safely(() => wx.removeStorageSync(deletionMarkerKey));
    return result;
  }

  /**
   * The user tapped `<button open-type="getPhoneNumber">`: wx.login, then POST /api/wechat/phone-login with
   * both codes. Logs in, claims the user staff made for this number (`status: "claimed"`), or registers, as
   * the server's policy says; like login(), it cancels a pending deletion.
   */
  async function phoneLogin(phoneCode: string, loginOptions: LoginOptions = {}): Promise<PhoneLoginResult> {
    const result = await signInWithFreshCode<PhoneLoginResult>("/api/wechat/phone-login", (code) => ({
      users_wx_code: code,
      users_phone_code: phoneCode,
      ...(loginOptions.inviteCode ? { invite_code: loginOptions.inviteCode } : {}),
      ...(options.appid ? { appid: options.appid } : {}),
    }));
    safely(() => wx.removeStorageSync(deletionMarkerKey));
    return result;
  }

  // A login the SDK makes by itself: it never cancels a pending deletion, and after deleteAccount()
  // on this device it is not even sent.
  function automaticLogin(): Promise<LoginResult> {
    if (safely(() => wx.getStorageSync(deletionMarkerKey)) === true) {
      return Promise.reject(
        new BaiClientError({ url: urlOf("/api/wechat/login"), status: 403, error: "account_deletion_pending", message: "账号已申请注销;调用 login() 重新登录即撤销注销" }),
      );
    }
    return implicitLogin();
  }

  /** A token to send now: logs in when there is none, renews one that is due. */
  async function usableToken(): Promise<string> {
    const token = authStore.token;
    if (!token) await automaticLogin();
    else if (isRenewalDue(token)) await refresh().catch((error) => keepUnexpiredTokenOn(error, token));
    return requireToken();
  }

  // Renewing before expiry is a courtesy: when it fails without touching the session (network, 5xx)
  // and the token has not expired, the call goes on with it.
  function keepUnexpiredTokenOn(error: unknown, token: string): void {
    const exp = tokenExpiry(token);
    if (authStore.token !== token || exp === null || exp * 1000 <= now()) throw error;
  }

  /** After `rejected` got a 401: the token another caller renewed meanwhile, else a renewed one. */
  async function tokenReplacing(rejected: string): Promise<string> {
    if (authStore.token && authStore.token !== rejected) return authStore.token;
    await refresh();
    return requireToken();
  }

  function requireToken(): string {
    if (!authStore.token) throw new BaiClientError({ url: baseUrl, status: 0, message: "未登录" });
    return authStore.token;
  }

  function isRenewalDue(token: string): boolean {
    return isTokenRenewalDue(token, authStore.savedAt, now(), refreshMarginSeconds);
  }

  /** Sends with the session's token; on 401 renews once and sends once more. */
  async function sendAuthorized(send: (token: string) => Promise<HttpResponse>): Promise<HttpResponse> {
    const token = await usableToken();
    const response = await send(token);
    if (response.status !== 401) return response;
    return send(await tokenReplacing(token));
  }

  // A POST to a path of the contract takes that path's body and answers its 200 body; so a body
  // with a wrong key or type does not compile. Other paths, and other methods, take any body.
  function request<P extends PostPath>(path: P, options: RequestOptions<RequestBodyOf<P>> & { method?: "POST" }): Promise<SuccessBodyOf<P>>;
  function request<T = unknown, P extends string = string>(path: P, options?: OtherRequestOptions<P>): Promise<T>;
  async function request(path: string, options: RequestOptions = {}): Promise<unknown> {
    const url = urlOf(path, options.query);
    const method = options.method || (options.body === undefined ? "GET" : "POST");
    const headers = options.headers || {};
    const send = (extraHeaders: Record<string, string>) =>
      sendRequest(wx, { method, url, headers: { ...languageHeaders, ...headers, ...extraHeaders }, body: options.body }, timeoutMs);
    const response = options.auth === false ? await send({}) : await sendAuthorized((token) => send(bearer(token)));
    if (response.status < 200 || response.status >= 300) throw errorFrom(url, response);
    return response.body;
  }

  /** wx.uploadFile with the session's token, renewed once on a 401; answers the parsed body, or rejects. */
  async function upload(upload: Omit<UploadRequest, "headers">): Promise<unknown> {
    const response = await sendAuthorized((token) => sendUpload(wx, { ...upload, headers: { ...languageHeaders, ...bearer(token) } }, timeoutMs));
    if (response.status < 200 || response.status >= 300) throw errorFrom(upload.url, response);
    return response.body;
  }

  const client = {
    baseUrl,
    authStore,
    /** The signed-in user as the server last described it, or null. */
    get user(): UserInfo | null {
      return authStore.user;
    },
    /** The current token, `""` when signed out. */
    get token(): string {
      return authStore.token;
    },
    /** Calls `listener(token, user)` whenever the session changes; returns the unsubscribe function. */
    onChange(listener: AuthChangeListener, fireImmediately = false): () => void {
      return authStore.onChange(listener, fireImmediately);
    },

    /** wx.login and POST /api/wechat/login, always with a fresh code. */
    login,
    phoneLogin,
    /** Trades the token for a new one; falls back to a fresh login when the server refuses it. */
    refresh,
    /** The signed-in user, logging in or renewing first only when needed. */
    async ensureLogin(): Promise<UserInfo> {
      await usableToken();
      if (!authStore.user) await refresh();
      return authStore.user as unknown as UserInfo;
    },

    /**
     * Saves the fields given. All three (a phone code among them) are one update on POST /api/wechat/profile,
     * as before; a subset goes to POST /api/wechat/profile/fields, which leaves the others alone and asks
     * WeChat for the phone number only when a phoneCode is sent.
     */
    async updateProfile(update: ProfileUpdate): Promise<ProfileResult> {
      const body: ProfileFieldsRequest = {};
      if (update.name !== undefined) body.users_name = update.name;
      if (update.phoneCode !== undefined) body.users_phone_code = update.phoneCode;
      if (update.picture !== undefined) body.users_picture = update.picture;
      const complete = update.name !== undefined && update.phoneCode !== undefined && update.picture !== undefined;
      const result: ProfileResponse = await request(complete ? "/api/wechat/profile" : "/api/wechat/profile/fields", { method: "POST", body });
      authStore.saveUser(result.data.user);
      return result.data;
    },

    /** Uploads `tempFilePath` (from chooseAvatar) to POST /api/wechat/avatar and returns its URL. */
    async uploadAvatar(tempFilePath: string): Promise<string> {
      const url = urlOf("/api/wechat/avatar");
      const answer = (await upload({ url, filePath: tempFilePath, fieldName: "file" })) as AvatarUploadAnswer;
      if (!isObject(answer) || !isObject(answer.data) || typeof answer.data.url !== "string") {
        throw new BaiClientError({ url, status: 200, body: answer, message: "头像上传的应答无法识别" });
      }
      return answer.data.url;
    },

    /** Ends this device's session (`"current"`) or every session of the user (`"all"`), then forgets it here. */
    async logout(scope: LogoutScope = "current"): Promise<void> {
      const token = authStore.token;
      if (!token) return;
      try {
        // A token the server already refuses (401; 404, 403, 410 for a deleted, disabled or erased
        // account, whose tokens are all void) is as good as logged out: no renewal just to log out.
        const response = await post("/api/wechat/logout", { scope }, bearer(token));
        if (response.status !== 200 && [401, 403, 404, 410].indexOf(response.status) < 0) throw errorFrom(urlOf("/api/wechat/logout"), response);
      } finally {
        authStore.clear();
      }
    },

    /**
     * Asks the server to delete the user's account, then forgets the session here. `status` is
     * `deletion_pending` during the cooling-off period (logging in again cancels it) or `account_deleted`.
     */
    async deleteAccount(): Promise<DeleteAccountResult> {
      const answer = await request("/api/wechat/delete-account", { method: "POST" });
      safely(() => wx.setStorageSync(deletionMarkerKey, true));
      authStore.clear();
      return answer.data;
    },

    /** The user's WeChat identities: one per app they sign in through (openids masked). */
    async identities(): Promise<Identity[]> {
      const answer = await request<{ data: { identities: Identity[] } }>("/api/wechat/identities");
      return answer.data.identities;
    },

    /**
     * Binds this mini-program's WeChat identity (or, with `appid`, another app's, given its code) to the signed-in
     * user, so that logging in here finds them. Without a code, this mini-program's wx.login gives one.
     * 409 `bind_conflict` when the identity belongs to another account: the SDK never switches accounts.
     */
    async bindIdentity(code?: string, appid: string | undefined = options.appid): Promise<BindIdentityResult> {
      if (!appid) throw new BaiClientError({ url: urlOf("/api/wechat/identities"), status: 0, message: "bindIdentity 需要 appid:在 createClient 的 appid 中配置,或作为第二个参数传入" });
      const answer = await request("/api/wechat/identities", { method: "POST", body: { appid, code: code || (await wxLoginCode(wx, timeoutMs)) } });
      return answer.data;
    },

    /** Unbinds one of the user's identities (by its `id` from identities()). */
    async unbindIdentity(id: string): Promise<void> {
      await request(`/api/wechat/identities/${encodeURIComponent(id)}`, { method: "DELETE" });
    },

    /** Each document's current version and URL, what the user agreed to and when, and whether consent is needed now. */
    async consents(): Promise<ConsentOverview> {
      return (await request<{ data: ConsentOverview }>("/api/wechat/consents")).data;
    },

    /** Records agreement to these versions; a version that is not the current one fails with 409 and the current ones in `error.data.documents`. */
    async giveConsent(documents: ConsentItem[], source: ConsentSource = "settings"): Promise<ConsentOverview> {
      return (await request("/api/wechat/consents", { method: "POST", body: { action: "agree", consents: documents, source } })).data;
    },

    /** Withdraws the user's consent to these documents (by name). */
    async withdrawConsent(documents: string[], source: ConsentSource = "settings"): Promise<ConsentOverview> {
      const consents: ConsentItem[] = documents.map((document) => ({ document }));
      return (await request("/api/wechat/consents", { method: "POST", body: { action: "withdraw", consents, source } })).data;
    },

    /** A copy of everything the server holds about the user, as one JSON document. */
    async myData(): Promise<MyData> {
      return (await request<{ data: MyData }>("/api/wechat/my-data")).data;
    },

    request,
  };

  return { client, internals: { wx, timeoutMs, authStore, urlOf, request, upload, usableToken } };
}

/** 403 (disabled, being deleted, waiting for approval) or 410 (deleted), told by `error`: the session is over and a new login would not help. */
function isAccountRefusal(response: HttpResponse): boolean {
  return ACCOUNT_UNAVAILABLE_ERRORS.indexOf(errorIdOf(response)) >= 0;
}

function errorIdOf(response: HttpResponse): string {
  return isObject(response.body) && typeof response.body.error === "string" ? response.body.error : "";
}

function loginCodeWasRejected(response: HttpResponse): boolean {
  const body = isObject(response.body) ? response.body : {};
  if (response.status === 429) return body.error === "duplicate_login_code";
  if (response.status !== 400 || !isObject(body.data) || !isObject(body.data.users_wx_code)) return false;
  return REJECTED_LOGIN_CODE_FIELD_CODES.indexOf(String(body.data.users_wx_code.code)) >= 0;
}

/** Checks the fields the SDK relies on in a login or refresh answer. */
function readAuthAnswer(url: string, response: HttpResponse): { token: string; meta: { data: RefreshResult } } {
  const body = response.body;
  if (isObject(body) && typeof body.token === "string" && body.token !== "" && isObject(body.meta) && isObject(body.meta.data) && isObject(body.meta.data.user)) {
    return body as unknown as { token: string; meta: { data: RefreshResult } };
  }
  throw new BaiClientError({ url, status: response.status, body, message: "登录应答无法识别" });
}

export function errorFrom(url: string, response: HttpResponse): BaiClientError {
  return new BaiClientError({ url, status: response.status, body: response.body });
}

/** Wraps `run` so that calls made while one is in progress share its promise. */
function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let inProgress: Promise<T> | null = null;
  return () => {
    if (!inProgress) {
      const done = () => {
        inProgress = null;
      };
      inProgress = run();
      inProgress.then(done, done);
    }
    return inProgress;
  };
}

function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}

function globalWx(): WxApi {
  if (typeof wx === "undefined") throw new Error("createClient: no global wx; pass options.wx");
  return wx;
}
