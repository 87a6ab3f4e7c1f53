import { describe, expect, it } from "vitest";
import { api } from "../support/api";

describe("POST /api/system/health", () => {
  it("answers healthy after touching the database", async () => {
    const response = await api().post("/api/system/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: expect.any(String), data: { status: "healthy", timestamp: expect.any(String) } });
    expect(Date.now() - Date.parse(response.body.data.timestamp)).toBeLessThan(60_000);
  });
});

describe("POST /api/system/test-helloworld", () => {
  it("says hello with the build time and version", async () => {
    const response = await api().post("/api/system/test-helloworld");
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      message: "Hello, World!",
      timestamp: expect.any(String),
      status: "success",
      build_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});

// 405 for the other methods on every route: test/e2e/registration.test.ts.
describe("CORS", () => {
  it("leave CORS preflight to PocketBase", async () => {
    const response = await fetch(`${api().baseUrl}/api/wechat/login`, {
      method: "OPTIONS",
      headers: { origin: "https://servicewechat.com", "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
  });
});
