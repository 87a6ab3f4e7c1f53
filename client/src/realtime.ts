// PocketBase's realtime API in a mini-program, which has no EventSource: GET /api/realtime is read
// with wx.request({ enableChunked: true }) and its chunks parsed as server-sent events (sse.ts).
//
// 1. The server's first event, PB_CONNECT, names the connection (its id is the clientId).
// 2. POST /api/realtime { clientId, subscriptions } with the session's token (renewed first when due)
//    tells the server what to send; every change of the subscriptions or of the token posts again.
// 3. PocketBase lets a connection's auth go from guest to a user and nothing else, so when the user
//    changes (logout, another login) the connection is replaced by a new one; a refresh of the same
//    user's token only posts again.
// 4. A lost connection is reopened after a growing delay and its subscriptions posted again; events
//    sent meanwhile are lost (subscribe to "PB_CONNECT" to hear of each new connection and re-read).
// 5. The first connection failing rejects subscribe(); after that, failures only delay the next try.
// Realtime never logs in by itself: signed out, it listens as a guest, and the next login moves it
// to a connection of that user.
import type { Session } from "./client";
import { BaiClientError } from "./errors";
import { queryOfOptions } from "./query";
import { sseParser, utf8StreamDecoder } from "./sse";
import { tokenRecordId } from "./token";
import { networkError, sendRequest } from "./transport";
import type { WxRequestTask } from "./wx";

export interface RealtimeOptions {
  /** Close the connection while the mini-program is in the background (wx.onAppHide), reopen it on wx.onAppShow. Default false. */
  pauseWhenHidden?: boolean;
  /** The wait before each reconnection attempt, in ms; the last one repeats. */
  reconnectDelaysMs?: number[];
  /** How long to wait for PB_CONNECT, in ms. Default 15 000. */
  connectTimeoutMs?: number;
}

export type RealtimeCallback = (data: any) => void;
export type UnsubscribeFunc = () => Promise<void>;
export type Realtime = ReturnType<typeof createRealtime>;

const DEFAULT_RECONNECT_DELAYS_MS = [200, 500, 1000, 2000, 5000, 10_000, 30_000];
// PocketBase ends every connection after 30 minutes; wx.request must not end it first where it can
// wait that long (on phones WeChat ends any request after 60 s, and the SDK reconnects then).
const STREAM_TIMEOUT_MS = 35 * 60_000;

interface Stream {
  /** The network ended it: a pending connect rejects, an open stream reconnects. */
  lost(error: BaiClientError): void;
  /** We end it. */
  close(): void;
}

export function createRealtime(session: Session, options: RealtimeOptions = {}) {
  const { wx, authStore } = session;
  const delays = options.reconnectDelaysMs || DEFAULT_RECONNECT_DELAYS_MS;
  const connectTimeoutMs = options.connectTimeoutMs || 15_000;
  const url = session.urlOf("/api/realtime");

  let subscriptions: Record<string, RealtimeCallback[]> = {};
  let stream: Stream | null = null;
  let clientId = "";
  /** What the server holds for this connection, null until the first POST of the connection. */
  let sent: { keys: string; token: string; userId: string } | null = null;
  /** At least one POST succeeded since the first subscription: failures are retried, not reported. */
  let established = false;
  let attempts = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let hidden = false;
  let syncing: Promise<void> | null = null;
  let dirty = false;

  const activeKeys = () => Object.keys(subscriptions).filter((key) => subscriptions[key].length > 0);

  /** Brings the server in line with the subscriptions and the session; concurrent callers share one run. */
  function sync(): Promise<void> {
    dirty = true;
    if (!syncing) syncing = runSync();
    return syncing;
  }

  async function runSync(): Promise<void> {
    try {
      while (dirty) {
        dirty = false;
        try {
          await step();
        } catch (error) {
          closeStream();
          if (hidden || activeKeys().length === 0) return;
          if (!established) throw error;
          scheduleReconnect();
          return;
        }
      }
    } finally {
      syncing = null;
    }
  }

  async function step(): Promise<void> {
    if (activeKeys().length === 0) return hangUp();
    if (hidden) return;
    const token = authStore.token ? await session.usableToken() : "";
    const userId = tokenRecordId(token);
    if (sent && sent.userId !== "" && sent.userId !== userId) closeStream();
    const isNewConnection = !clientId;
    if (isNewConnection) await connect();
    // Read after the waits, so that topics subscribed meanwhile go in the same POST.
    const keys = activeKeys();
    if (keys.length === 0) return hangUp();
    if (sent && sent.keys === keys.join("\n") && sent.token === token) return;
    const response = await sendRequest(wx, { method: "POST", url, headers: token ? { authorization: `Bearer ${token}` } : {}, body: { clientId, subscriptions: keys } }, session.timeoutMs);
    if (response.status < 200 || response.status >= 300) throw new BaiClientError({ url, status: response.status, body: response.body });
    sent = { keys: keys.join("\n"), token, userId };
    established = true;
    if (isNewConnection) {
      attempts = 0;
      dispatch("PB_CONNECT", { clientId });
    }
  }

  /** Opens GET /api/realtime and resolves at PB_CONNECT. */
  function connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let task: WxRequestTask | undefined;
      let connected = false;
      const end = (error: BaiClientError | null) => {
        if (stream !== current) return;
        stream = null;
        clientId = "";
        sent = null;
        clearTimeout(connectTimer);
        if (task) task.abort();
        if (!connected) reject(error || new BaiClientError({ url, status: 0, message: "实时连接已关闭" }));
        else if (error) scheduleReconnect();
      };
      const current: Stream = { lost: end, close: () => end(null) };
      const decode = utf8StreamDecoder();
      const parse = sseParser((event) => {
        if (stream !== current) return;
        if (event.event !== "PB_CONNECT") return dispatch(event.event, event.data);
        connected = true;
        clearTimeout(connectTimer);
        clientId = event.id;
        sent = null;
        resolve();
      });
      stream = current;
      const connectTimer = setTimeout(() => current.lost(new BaiClientError({ url, status: 0, message: "实时连接超时" })), connectTimeoutMs);
      task = wx.request({
        url,
        method: "GET",
        header: { accept: "text/event-stream" },
        enableChunked: true,
        responseType: "arraybuffer",
        timeout: STREAM_TIMEOUT_MS,
        success: (result) => current.lost(new BaiClientError({ url, status: result.statusCode === 200 ? 0 : result.statusCode, message: "实时连接已断开" })),
        fail: (failure) => current.lost(networkError(url, failure)),
      });
      if (task && task.onChunkReceived) task.onChunkReceived((chunk) => stream === current && parse(decode(new Uint8Array(chunk.data))));
      else current.lost(new BaiClientError({ url, status: 0, message: "实时连接需要基础库 2.20.2 或更高版本(wx.request 的 enableChunked)" }));
    });
  }

  function closeStream(): void {
    if (stream) stream.close();
  }

  /** No subscription is left: the connection goes, and the next subscribe starts afresh. */
  function hangUp(): void {
    closeStream();
    cancelReconnect();
    established = false;
  }

  function cancelReconnect(): void {
    if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    attempts = 0;
  }

  function scheduleReconnect(): void {
    if (reconnectTimer !== undefined || hidden || activeKeys().length === 0) return;
    const delay = delays[Math.min(attempts, delays.length - 1)];
    attempts += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      sync().catch(() => {});
    }, delay);
  }

  function dispatch(key: string, data: unknown): void {
    const listeners = subscriptions[key];
    if (!listeners) return;
    let payload: unknown = data;
    if (typeof data === "string") {
      try {
        payload = JSON.parse(data);
      } catch {
        payload = {};
      }
    }
    for (const listener of listeners.slice()) {
      try {
        listener(payload || {});
      } catch (error) {
        // A failing callback must not stop the stream; the error still surfaces.
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  /** Removes the listeners `matches` picks (the last one hangs up at once); answers whether any was removed. */
  function remove(matches: (key: string, listener: RealtimeCallback) => boolean): boolean {
    let removed = false;
    for (const key of Object.keys(subscriptions)) {
      const kept = subscriptions[key].filter((listener) => !matches(key, listener));
      if (kept.length !== subscriptions[key].length) removed = true;
      if (kept.length > 0) subscriptions[key] = kept;
      else delete subscriptions[key];
    }
    if (activeKeys().length === 0) hangUp();
    return removed;
  }

  // A new token of the same user is posted on the same connection; another user gets a new connection.
  authStore.onChange(() => {
    if (stream || activeKeys().length > 0) sync().catch(() => {});
  });

  // WeChat interrupts a backgrounded mini-program's requests after 5 s and refuses new ones until it
  // returns, so the back-off may have grown meanwhile: back in the foreground, reconnect at once.
  if (wx.onAppShow) {
    wx.onAppShow(() => {
      const wasHidden = hidden;
      hidden = false;
      if (activeKeys().length === 0 || (stream && !wasHidden)) return;
      cancelReconnect();
      sync().catch(() => {});
    });
  }
  if (options.pauseWhenHidden && wx.onAppHide) {
    wx.onAppHide(() => {
      hidden = true;
      cancelReconnect();
      closeStream();
    });
  }

  return {
    /** True while a connection is open and holds the subscriptions. */
    get isConnected(): boolean {
      return clientId !== "" && sent !== null;
    },

    /**
     * Listens to `topic` (e.g. "posts/*", "posts/<id>", or "PB_CONNECT" for every new connection). Resolves
     * once the server has the subscription, or once it is queued while a lost connection is being reopened.
     */
    async subscribe(topic: string, callback: RealtimeCallback, subscribeOptions?: Record<string, any>): Promise<UnsubscribeFunc> {
      if (!topic) throw new Error("topic must be set.");
      const key = subscriptionKey(topic, subscribeOptions);
      const listener: RealtimeCallback = (data) => callback(data);
      (subscriptions[key] = subscriptions[key] || []).push(listener);
      try {
        await sync();
      } catch (error) {
        remove((_, registered) => registered === listener);
        throw error;
      }
      return () => {
        remove((_, registered) => registered === listener);
        return sync();
      };
    },

    /** Ends every subscription to `topic` (with any options), or every subscription at all. */
    unsubscribe(topic?: string): Promise<void> {
      const prefix = !topic || topic.indexOf("?") >= 0 ? topic || "" : topic + "?";
      remove((key) => (key + "?").indexOf(prefix) === 0);
      return sync();
    },

    /** Ends every subscription whose topic starts with `prefix` ("posts/" for all of posts). */
    unsubscribeByPrefix(prefix: string): Promise<void> {
      return remove((key) => key.indexOf(prefix) === 0) ? sync() : Promise.resolve();
    },
  };
}

/** The topic as PocketBase's SDK sends it: options go along as `?options=<JSON>`. */
function subscriptionKey(topic: string, options?: Record<string, any>): string {
  if (!options) return topic;
  const serialized = "options=" + encodeURIComponent(JSON.stringify({ query: queryOfOptions(options), headers: options.headers }));
  return topic + (topic.indexOf("?") >= 0 ? "&" : "?") + serialized;
}
