// A fake `wx` for unit tests: in-memory storage, wx.login minting numbered codes, and wx.request /
// wx.uploadFile answered by a fake BAI server whose routes a test can override one by one.
import { errorMessages, fieldCodeOf, paramsIn } from "../../hooks-src/languages/messages";
import type { WxApi, WxRequestOptions, WxRequestTask, WxUploadFileOptions } from "../src/wx";

export interface FakeRequest {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  token: string;
  /** Set for wx.uploadFile calls. */
  upload?: { filePath: string; name: string; formData?: Record<string, string> };
}

/** A wx.request({ enableChunked: true }) in progress, which the test feeds like a server would. */
export class FakeStream {
  aborted = false;
  ended = false;
  private readonly listeners: Array<(result: { data: ArrayBuffer }) => void> = [];

  constructor(
    readonly request: FakeRequest,
    private readonly options: WxRequestOptions,
  ) {}

  readonly task: WxRequestTask = {
    abort: () => {
      if (this.ended) return;
      this.aborted = true;
      this.ended = true;
      setTimeout(() => this.options.fail?.({ errMsg: "request:fail abort" }), 1);
    },
    onChunkReceived: (listener) => void this.listeners.push(listener),
  };

  /** Sends `text` as UTF-8, cut into pieces of `pieceBytes` bytes (all at once by default). */
  send(text: string, pieceBytes = Infinity): void {
    const bytes = new TextEncoder().encode(text);
    for (let start = 0; start < bytes.length; start += pieceBytes) {
      const piece = bytes.slice(start, Math.min(start + pieceBytes, bytes.length));
      for (const listener of this.listeners) listener({ data: piece.buffer });
    }
  }

  /** PocketBase's first event. */
  connect(clientId: string): void {
    this.send(`id:${clientId}\nevent:PB_CONNECT\ndata:{"clientId":"${clientId}"}\n\n`);
  }

  /** The server closed the stream. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.success?.({ statusCode: 200, data: new ArrayBuffer(0), header: {} });
  }

  /** The network dropped it. */
  drop(): void {
    if (this.ended) return;
    this.ended = true;
    this.options.fail?.({ errMsg: "request:fail network lost" });
  }
}

export type FakeAnswer = { status: number; body: unknown } | "network-failure";
export type FakeRoute = (request: FakeRequest, server: FakeServer) => FakeAnswer | Promise<FakeAnswer>;

const HOUR = 3600;

/** A PocketBase-like token: only its payload matters to the SDK. */
export function makeToken(claims: { id?: string; exp: number; n?: number }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ type: "auth", collectionId: "pbc_users", refreshable: true, ...claims })}.c2lnbmF0dXJl`;
}

export function fakeUser(overrides: Record<string, unknown> = {}) {
  return {
    pb_id: "abc123xyz456789",
    users_id: "U202603190001",
    users_type: "游客",
    users_name: "",
    users_phone: "",
    users_phone_masked: "",
    users_picture: "",
    openid: "osim_alice",
    company_id: "",
    company: null,
    created: "2026-03-19 10:00:00.000Z",
    updated: "2026-03-19 10:00:00.000Z",
    ...overrides,
  } as const;
}

export class FakeServer {
  /** Seconds since the epoch; tests move it with the client's clock. */
  nowSeconds = 1_800_000_000;
  tokenLifetimeSeconds = 7 * 24 * HOUR;
  private issued = 0;
  readonly validTokens = new Set<string>();
  readonly usedCodes = new Set<string>();
  readonly requests: FakeRequest[] = [];
  /** Every wx.request({ enableChunked: true }), in order. */
  readonly streams: FakeStream[] = [];
  user: Record<string, unknown> = { ...fakeUser() };
  readonly routes: Record<string, FakeRoute> = {
    "/api/wechat/login": (request) => {
      const code = (request.body as { users_wx_code: string }).users_wx_code;
      if (this.usedCodes.has(code)) {
        return failure(400, "微信 code 已被使用", { users_wx_code: { code: "wechat_code_used", message: "微信 code 已被使用" } });
      }
      this.usedCodes.add(code);
      return { status: 200, body: this.authAnswer("登录成功", { status: "login_success" }) };
    },
    "/api/wechat/phone-login": (request) => {
      const { users_wx_code: code } = request.body as { users_wx_code: string };
      if (this.usedCodes.has(code)) {
        return failure(400, "微信 code 已被使用", { users_wx_code: { code: "wechat_code_used", message: "微信 code 已被使用" } });
      }
      this.usedCodes.add(code);
      this.user = { ...this.user, users_phone: "13800138000", users_phone_masked: "138****8000" };
      return { status: 200, body: this.authAnswer("登录成功", { status: "claimed", deletion_cancelled: false, phone_mismatch: false }) };
    },
    "/api/wechat/refresh-token": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      return { status: 200, body: this.authAnswer("token 刷新成功", {}) };
    },
    "/api/wechat/profile": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      const body = request.body as Record<string, string>;
      this.user = { ...this.user, users_name: body.users_name, users_phone: "13800138000", users_phone_masked: "138****8000", users_picture: body.users_picture };
      return { status: 200, body: { code: 200, msg: "资料更新成功", data: { status: "update_success", user: this.user } } };
    },
    "/api/wechat/profile/fields": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      const body = request.body as Record<string, string>;
      const phone = body.users_phone_code === undefined ? {} : { users_phone: "13800138000", users_phone_masked: "138****8000" };
      const fields = { ...(body.users_name === undefined ? {} : { users_name: body.users_name }), ...(body.users_picture === undefined ? {} : { users_picture: body.users_picture }), ...phone };
      this.user = { ...this.user, ...fields };
      return { status: 200, body: { code: 200, msg: "资料更新成功", data: { status: "update_success", user: this.user } } };
    },
    "/api/wechat/avatar": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      return { status: 200, body: JSON.stringify({ code: 200, msg: "头像上传成功", data: { url: "https://bai.example/pb/api/files/u/a/avatar.png" } }) };
    },
    "/api/wechat/logout": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      if ((request.body as { scope: string }).scope === "all") this.validTokens.clear();
      else this.validTokens.delete(request.token);
      return { status: 200, body: { code: 200, msg: "已退出登录", data: {} } };
    },
    "/api/wechat/delete-account": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      this.validTokens.clear();
      return { status: 200, body: { code: 200, msg: "注销申请已提交,冷静期内重新登录即可撤销", data: { status: "deletion_pending", deletion_due: "2026-04-03T10:00:00.000Z" } } };
    },
    // PocketBase's realtime subscription POST; tests read what was posted from `requests`.
    "/api/realtime": () => ({ status: 204, body: "" }),
    "/api/things": (request) => {
      if (!this.accepts(request.token)) return failure(401, "token 无效或已过期,请重新登录");
      return { status: 200, body: { code: 200, msg: "ok", data: { things: [] } } };
    },
  };

  /** Counts the requests to `path`. */
  count(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }

  issueToken(): string {
    const token = makeToken({ id: String(this.user.pb_id), exp: this.nowSeconds + this.tokenLifetimeSeconds, n: ++this.issued });
    this.validTokens.add(token);
    return token;
  }

  accepts(token: string): boolean {
    if (!this.validTokens.has(token)) return false;
    const exp = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).exp as number;
    return exp > this.nowSeconds;
  }

  authAnswer(msg: string, extra: Record<string, unknown>) {
    const token = this.issueToken();
    return { token, record: { id: this.user.pb_id }, meta: { code: 200, msg, data: { ...extra, is_info_complete: false, user: this.user } } };
  }

  async answer(request: FakeRequest): Promise<FakeAnswer> {
    this.requests.push(request);
    const route = this.routes[request.path];
    return route ? route(request, this) : failure(404, "Not Found");
  }
}

/** BAI's answer of a failure, by its Chinese message: with the identifier given, else the one BAI gives that message. */
export function failure(status: number, msg: string, data: Record<string, unknown> = {}, error?: string): FakeAnswer {
  const id = error ?? Object.entries(errorMessages()).find(([, message]) => paramsIn(message["zh-CN"], msg))?.[0];
  if (!id) return { status, body: { code: status, msg, data } };
  return { status, body: { code: status, error: fieldCodeOf(id), msg, message: msg, data } };
}

export interface FakeWx {
  wx: WxApi;
  server: FakeServer;
  storage: Map<string, unknown>;
  loginCalls: () => number;
  /** Makes the next wx.login calls fail with this errMsg. */
  failLogin: (errMsg: string | null) => void;
  /** Calls the listeners of wx.onAppHide / wx.onAppShow. */
  hideApp: () => void;
  showApp: () => void;
}

export function fakeWx(server = new FakeServer(), storage = new Map<string, unknown>()): FakeWx {
  let loginCalls = 0;
  let loginFailure: string | null = null;
  const later = (action: () => void) => setTimeout(action, 1);

  function toRequest(options: { url: string; header?: Record<string, string> }, method: string, body: unknown): FakeRequest {
    const url = new URL(options.url);
    const headers = Object.fromEntries(Object.entries(options.header ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const token = (headers.authorization ?? "").replace(/^Bearer /, "");
    return { method, url: options.url, path: url.pathname.replace(/^\/pb/, ""), headers, body, token };
  }

  const appHide: Array<() => void> = [];
  const appShow: Array<() => void> = [];

  const wx: WxApi = {
    login(options) {
      loginCalls += 1;
      const code = `code-${loginCalls}`;
      later(() => (loginFailure ? options.fail?.({ errMsg: loginFailure }) : options.success?.({ code })));
    },
    request(options: WxRequestOptions) {
      const body = typeof options.data === "string" ? JSON.parse(options.data) : options.data;
      const request = toRequest(options, options.method ?? "GET", body);
      if (options.enableChunked) {
        const stream = new FakeStream(request, options);
        server.requests.push(request);
        server.streams.push(stream);
        return stream.task;
      }
      later(async () => {
        const answer = await server.answer(request);
        if (answer === "network-failure") options.fail?.({ errMsg: "request:fail timeout" });
        else options.success?.({ statusCode: answer.status, data: answer.body, header: {} });
      });
      return { abort: () => {} };
    },
    uploadFile(options: WxUploadFileOptions) {
      const request = { ...toRequest(options, "POST", undefined), upload: { filePath: options.filePath, name: options.name, ...(options.formData ? { formData: options.formData } : {}) } };
      later(async () => {
        const answer = await server.answer(request);
        if (answer === "network-failure") options.fail?.({ errMsg: "uploadFile:fail" });
        else options.success?.({ statusCode: answer.status, data: typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body) });
      });
    },
    // wx answers "" for a key it does not have.
    getStorageSync: (key) => (storage.has(key) ? structuredClone(storage.get(key)) : ""),
    setStorageSync: (key, value) => void storage.set(key, structuredClone(value)),
    removeStorageSync: (key) => void storage.delete(key),
    onAppHide: (listener) => void appHide.push(listener),
    onAppShow: (listener) => void appShow.push(listener),
  };
  return {
    wx,
    server,
    storage,
    loginCalls: () => loginCalls,
    failLogin: (errMsg) => (loginFailure = errMsg),
    hideApp: () => appHide.forEach((listener) => listener()),
    showApp: () => appShow.forEach((listener) => listener()),
  };
}
