// What pb_hooks/bai_wechat_auth.pb.js registers from the tables in hooks-src/registry/:
// every route answers, other methods get 405, bodies stop at the route's limit while they
// are read, and PocketBase's own refusals on our routes come back in our envelope.
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { registrations } from "../../hooks-src/registry/registrations";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { failures } from "../support/responses";
import { uniqueName } from "../support/wechat";

const { routes } = registrations();

// A URL of a route's path. The records route hands the request on to PocketBase's own update and
// answers in PocketBase's shape: here on tbl_company, whose update rule is null.
const urlPathOf = (path: string) => path.replace("{collection}", "tbl_company").replace("{id}", "anyid");
const POCKETBASE_SHAPED = new Set(["/api/wechat/records/{collection}/{id}"]);

describe("every route in the table", () => {
  it.each(routes.map((route) => [route.method, route.path]))("%s %s is served by our hooks", async (method, path) => {
    const body = method === "GET" ? undefined : "{}";
    const response = await fetch(`${api().baseUrl}${urlPathOf(path)}`, { method, headers: { "content-type": "application/json" }, body });
    expect(response.status).not.toBe(404);
    if (POCKETBASE_SHAPED.has(path)) expect(await response.json()).toEqual({ status: 403, message: "Only superusers can perform this action.", data: {} });
    else expect(await response.json()).toHaveProperty("code", response.status === 200 ? expect.anything() : response.status);
  });

  it.each(registrations().methodNotAllowed.map((entry) => [entry.method, entry.path]))("%s %s answers 405 in our envelope", async (method, path) => {
    const response = await send(method, urlPathOf(path));
    const allowed = routes.filter((route) => route.path === path).map((route) => route.method);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allowed.join(", "));
    expect(JSON.parse(response.text)).toEqual({ code: 405, msg: `请求方法不允许,请使用 ${allowed.join("/")}`, data: {} });
  });

  it("with our envelope is covered by one of our rate-limit rules", async () => {
    const { rateLimits } = await (await adminClient()).pb.settings.getAll();
    const labels: string[] = rateLimits.rules.map((rule: { label: string }) => rule.label);
    for (const route of routes.filter((entry) => entry.envelope)) {
      const covering = labels.find((label) => label === `${route.method} ${route.path}` || (label.startsWith("/api/wechat/") && label.endsWith("/") && route.path.startsWith(label)));
      expect(covering, `${route.method} ${route.path}`).toBeDefined();
    }
  });
});

// node:http, because fetch refuses to send TRACE.
function send(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, api().baseUrl), { method }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

// Streams a JSON body in 16 KB chunks, 5 ms apart, until the server answers or 4 MB went out;
// resolves with the answer and how much had been sent when it came.
function streamUntilAnswered(path: string, token: string): Promise<{ status: number; body: any; sentBeforeAnswer: number }> {
  const url = new URL(path, api().baseUrl);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked", authorization: `Bearer ${token}` } });
    req.on("response", (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, sentBeforeAnswer });
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.write('{"users_wx_code":"u-x-1","padding":"');
    const chunk = "x".repeat(16 * 1024);
    const timer = setInterval(() => {
      if (answered || sent >= 4 * 1024 * 1024) {
        clearInterval(timer);
        if (!answered) req.end('"}');
        return;
      }
      req.write(chunk);
      sent += chunk.length;
    }, 5);
  });
}

// The routes that read a JSON body, and so must answer 413 rather than ignore the excess.
const READS_JSON_BODY = new Set(["/api/wechat/login", "/api/wechat/profile"]);

describe("body limits", () => {
  // A route without a limit of its own (0) has the one of what it hands the request to (records-update.test.ts).
  it.each(routes.filter((route) => route.method === "POST" && route.maxBodyBytes > 0).map((route) => [route.path, route.maxBodyBytes]))(
    "%s stops a chunked body once it passes %i bytes, without reading the rest",
    async (path, maxBodyBytes) => {
      const { token } = await api().signIn(uniqueName("chunked"));
      const answer = await streamUntilAnswered(path, token);
      expect(answer.sentBeforeAnswer).toBeLessThan(maxBodyBytes + 512 * 1024);
      if (READS_JSON_BODY.has(path)) {
        expect(answer.status).toBe(413);
        expect(answer.body).toEqual(failures.payloadTooLarge);
      }
    },
  );

  it("counts bytes, not characters: 16 KB of multi-byte characters sent chunked answers 413", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ users_wx_code: "u-x-1", padding: "名".repeat(6000) }));
    const response = await fetch(`${api().baseUrl}/api/wechat/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < body.length; offset += 4096) controller.enqueue(body.slice(offset, offset + 4096));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(failures.payloadTooLarge);
  });
});

describe("PocketBase's own refusals on our routes", () => {
  it("a declared Content-Length over the limit is refused by $apis.bodyLimit, in our envelope", async () => {
    const response = await api().post("/api/wechat/login", undefined, { rawBody: JSON.stringify({ users_wx_code: "u-x-1", padding: "x".repeat(16 * 1024) }) });
    expect(response.status).toBe(413);
    expect(response.body).toEqual(failures.payloadTooLarge);
  });
});
