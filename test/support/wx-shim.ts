// A `wx` for Node that does real HTTP, so the built mini-program SDK can run against the real
// PocketBase and the WeChat simulator: wx.request over fetch, wx.uploadFile as multipart/form-data,
// wx.login minting the simulator's codes for one WeChat user, storage in a Map that a "restarted"
// shim can share. Every answer of our own routes is checked against spec/openapi.yaml, as api.ts does.
//
// wx.request({ enableChunked: true }) streams the answer to onChunkReceived the way a phone's network
// may: each piece PocketBase writes is cut again at pseudo-random places, 1 to 7 bytes apart, so pieces
// end inside lines, inside UTF-8 characters and (with `crlf`, which turns every LF into CRLF as a
// server or proxy may) between a CR and its LF. `splits` counts the awkward cuts it made.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { WxApi, WxRequestOptions, WxRequestTask } from "../../client/src/wx";
import { contractProblems, spec } from "./contract";
import { codes } from "./wechat";

export interface WxShim {
  wx: WxApi;
  storage: Map<string, string>;
  /** wx.login calls so far. */
  loginCalls: () => number;
  /** Every request sent, in order, as "METHOD /path". */
  sent: string[];
  /** Every answer received (not streamed), in order, as "METHOD /path STATUS". */
  answered: string[];
  /** Contract problems found in our routes' answers; a test expects none. */
  contractProblems: string[];
  /** Streamed answers (enableChunked) still open. */
  openStreams: () => number;
  /** Drops every open stream as a lost network would: the SDK sees wx.request fail. */
  cutStreams: () => void;
  /** The cuts made in streamed answers that fell inside a line, inside a UTF-8 character, between CR and LF. */
  splits: { insideLine: number; insideCharacter: number; betweenCrAndLf: number };
  /** Calls the listeners of wx.onAppHide / wx.onAppShow. */
  hideApp: () => void;
  showApp: () => void;
}

export interface WxShimOptions {
  /** Turn every LF of a streamed answer into CRLF. */
  crlf?: boolean;
  /** Seed of the cuts. */
  seed?: number;
}

/** `firstCodes` are what the first wx.login calls answer, before the shim mints codes for `wechatUser`. */
export function wxShim(wechatUser: string, storage = new Map<string, string>(), firstCodes: string[] = [], shimOptions: WxShimOptions = {}): WxShim {
  let loginCalls = 0;
  const sent: string[] = [];
  const answered: string[] = [];
  const problems: string[] = [];
  const streams = new Set<{ controller: AbortController; cut: boolean }>();
  const splits = { insideLine: 0, insideCharacter: 0, betweenCrAndLf: 0 };
  const appHide: Array<() => void> = [];
  const appShow: Array<() => void> = [];
  const random = seededRandom(shimOptions.seed ?? 23);

  async function send(url: string, init: RequestInit, timeout: number | undefined) {
    const path = new URL(url).pathname;
    sent.push(`${init.method} ${path}`);
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeout ?? 10_000) });
    const text = await response.text();
    answered.push(`${init.method} ${path} ${response.status}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const route = path.replace(/^\/pb/, "");
    if (/^\/api\/(system|wechat)\//.test(route)) {
      for (const problem of contractProblems(specPathOf(route), String(init.method), { status: response.status, headers: response.headers, body: json, text })) {
        problems.push(`${init.method} ${route} ${response.status}: ${problem}`);
      }
    }
    return { response, text, json };
  }

  const wx: WxApi = {
    login(options) {
      loginCalls += 1;
      const code = firstCodes.shift() ?? codes.loginAs(wechatUser);
      setTimeout(() => options.success?.({ code }), 0);
    },
    request(options) {
      if (options.enableChunked) return stream(options);
      const method = options.method ?? "GET";
      send(options.url, { method, headers: options.header, body: options.data }, options.timeout).then(
        ({ response, text, json }) =>
          options.success?.({ statusCode: response.status, data: options.dataType === "json" && json !== undefined ? json : text, header: Object.fromEntries(response.headers) }),
        (error: Error) => options.fail?.({ errMsg: `request:fail ${error.message}` }),
      );
      return { abort: () => {} };
    },
    uploadFile(options) {
      const form = new FormData();
      for (const [name, value] of Object.entries(options.formData ?? {})) form.append(name, value);
      form.append(options.name, new Blob([readFileSync(options.filePath)]), basename(options.filePath));
      send(options.url, { method: "POST", headers: options.header, body: form }, options.timeout).then(
        ({ response, text }) => options.success?.({ statusCode: response.status, data: text }),
        (error: Error) => options.fail?.({ errMsg: `uploadFile:fail ${error.message}` }),
      );
    },
    // wx keeps storage serialized and answers "" for a missing key.
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)!) : ""),
    setStorageSync: (key, value) => void storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => void storage.delete(key),
    onAppHide: (listener) => void appHide.push(listener),
    onAppShow: (listener) => void appShow.push(listener),
  };

  function stream(options: WxRequestOptions): WxRequestTask {
    const method = options.method ?? "GET";
    sent.push(`${method} ${new URL(options.url).pathname}`);
    const entry = { controller: new AbortController(), cut: false };
    const listeners: Array<(result: { data: ArrayBuffer }) => void> = [];
    streams.add(entry);
    void (async () => {
      try {
        const response = await fetch(options.url, { method, headers: options.header, signal: entry.controller.signal });
        const reader = response.body!.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const piece of cutAwkwardly(crlfOf(value))) for (const listener of listeners) listener({ data: piece });
        }
        streams.delete(entry);
        options.success?.({ statusCode: response.status, data: new ArrayBuffer(0), header: Object.fromEntries(response.headers) });
      } catch (error) {
        streams.delete(entry);
        options.fail?.({ errMsg: entry.cut ? "request:fail network lost" : entry.controller.signal.aborted ? "request:fail abort" : `request:fail ${(error as Error).message}` });
      }
    })();
    return { abort: () => entry.controller.abort(), onChunkReceived: (listener) => void listeners.push(listener) };
  }

  function crlfOf(bytes: Uint8Array): Uint8Array {
    if (!shimOptions.crlf) return bytes;
    const converted: number[] = [];
    for (const byte of bytes) converted.push(...(byte === 0x0a ? [0x0d, 0x0a] : [byte]));
    return Uint8Array.from(converted);
  }

  function cutAwkwardly(bytes: Uint8Array): ArrayBuffer[] {
    const pieces: ArrayBuffer[] = [];
    let start = 0;
    while (start < bytes.length) {
      const end = Math.min(start + 1 + Math.floor(random() * 7), bytes.length);
      pieces.push(bytes.slice(start, end).buffer);
      if (end < bytes.length) {
        const [before, after] = [bytes[end - 1], bytes[end]];
        if ((after & 0xc0) === 0x80) splits.insideCharacter += 1;
        if (before === 0x0d && after === 0x0a) splits.betweenCrAndLf += 1;
        if (before !== 0x0a && before !== 0x0d && after !== 0x0a && after !== 0x0d) splits.insideLine += 1;
      }
      start = end;
    }
    return pieces;
  }

  return {
    wx,
    storage,
    loginCalls: () => loginCalls,
    sent,
    answered,
    contractProblems: problems,
    openStreams: () => streams.size,
    cutStreams: () => {
      for (const entry of streams) {
        entry.cut = true;
        entry.controller.abort();
      }
    },
    splits,
    hideApp: () => appHide.forEach((listener) => listener()),
    showApp: () => appShow.forEach((listener) => listener()),
  };
}

/** The spec's path for a concrete one: "/api/wechat/records/notes/abc" → "/api/wechat/records/{collection}/{id}". */
function specPathOf(route: string): string {
  if (spec.paths?.[route]) return route;
  const templated = Object.keys(spec.paths ?? {}).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(route));
  return templated ?? route;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
