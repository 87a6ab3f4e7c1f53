// A `wx` for Node that does real HTTP, so the built mini-program SDK can run against the real
// PocketBase and the WeChat simulator: wx.request over fetch, wx.uploadFile as multipart/form-data,
// wx.login minting the simulator's codes for one WeChat user, storage in a Map that a "restarted"
// shim can share. Every answer of our own routes is checked against spec/openapi.yaml, as api.ts does.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { WxApi } from "../../client/src/wx";
import { contractProblems } from "./contract";
import { codes } from "./wechat";

export interface WxShim {
  wx: WxApi;
  storage: Map<string, string>;
  /** wx.login calls so far. */
  loginCalls: () => number;
  /** Every request sent, in order, as "METHOD /path". */
  sent: string[];
  /** Contract problems found in our routes' answers; a test expects none. */
  contractProblems: string[];
}

/** `firstCodes` are what the first wx.login calls answer, before the shim mints codes for `wechatUser`. */
export function wxShim(wechatUser: string, storage = new Map<string, string>(), firstCodes: string[] = []): WxShim {
  let loginCalls = 0;
  const sent: string[] = [];
  const problems: string[] = [];

  async function send(url: string, init: RequestInit, timeout: number | undefined) {
    const path = new URL(url).pathname;
    sent.push(`${init.method} ${path}`);
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeout ?? 10_000) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const route = path.replace(/^\/pb/, "");
    if (/^\/api\/(system|wechat)\//.test(route)) {
      for (const problem of contractProblems(route, String(init.method), { status: response.status, headers: response.headers, body: json, text })) {
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
      const method = options.method ?? "GET";
      send(options.url, { method, headers: options.header, body: options.data }, options.timeout).then(
        ({ response, text, json }) =>
          options.success?.({ statusCode: response.status, data: options.dataType === "json" && json !== undefined ? json : text, header: Object.fromEntries(response.headers) }),
        (error: Error) => options.fail?.({ errMsg: `request:fail ${error.message}` }),
      );
    },
    uploadFile(options) {
      const form = new FormData();
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
  };
  return { wx, storage, loginCalls: () => loginCalls, sent, contractProblems: problems };
}
