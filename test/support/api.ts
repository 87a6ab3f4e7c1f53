// A thin client for our routes, returning status, headers and the parsed body, so tests
// can assert on exactly what a mini-program would receive.
import { expect, inject } from "vitest";
import { contractProblems } from "./contract";
import { codes } from "./wechat";

export interface ApiResponse<Body = any> {
  status: number;
  headers: Headers;
  body: Body;
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  // A raw body is sent as is; anything else is JSON-encoded.
  rawBody?: string | Uint8Array;
}

// Every answer of our own routes is checked against spec/openapi.yaml; tests that send a request
// by other means than api() pass its answer through here too.
export function expectContract<Body>(path: string, method: string, response: ApiResponse<Body>): ApiResponse<Body> {
  if (/^\/api\/(system|wechat)\//.test(path)) {
    expect(contractProblems(path, method, response), `${path} answered ${response.status} ${response.text.slice(0, 300)}`).toEqual([]);
  }
  return response;
}

export function api(baseUrl: string = inject("pocketbaseUrl")) {
  async function post<Body = any>(path: string, json?: unknown, options: RequestOptions = {}): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = {};
    if (json !== undefined || options.rawBody !== undefined) headers["content-type"] = "application/json";
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    Object.assign(headers, options.headers);
    const response = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers,
      body: options.rawBody ?? (json === undefined ? undefined : JSON.stringify(json)),
    });
    const text = await response.text();
    let body: any = undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return expectContract(path, "POST", { status: response.status, headers: response.headers, body, text });
  }

  async function get<Body = any>(path: string, token?: string): Promise<ApiResponse<Body>> {
    const response = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: token } : {} });
    const text = await response.text();
    return expectContract(path, "GET", { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, text });
  }

  return {
    baseUrl,
    post,
    get,
    login: (code: string) => post("/api/wechat/login", { users_wx_code: code }),
    profile: (token: string, body: unknown) => post("/api/wechat/profile", body, { token }),
    refreshToken: (token: string) => post("/api/wechat/refresh-token", undefined, { token }),
    // Logs WeChat user <name> in and returns the token and user of the answer.
    async signIn(name: string) {
      const response = await post("/api/wechat/login", { users_wx_code: codes.loginAs(name) });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
      return { token: response.body.token as string, user: response.body.meta.data.user, response };
    },
  };
}

export const validProfile = (overrides: Record<string, unknown> = {}) => ({
  users_name: "张三",
  users_phone_code: codes.phone("13800138000"),
  users_picture: "https://example.com/avatar.png",
  ...overrides,
});
