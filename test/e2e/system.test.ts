import { mkdirSync, renameSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, expectContract } from "../support/api";
import { startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { failureBody } from "../support/responses";

describe("POST /api/system/health", () => {
  it("answers healthy with the time of the answer", async () => {
    const response = await api().post("/api/system/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: expect.any(String), data: { status: "healthy", timestamp: expect.any(String) } });
    expect(Date.now() - Date.parse(response.body.data.timestamp)).toBeLessThan(60_000);
  });
});

// Uptime monitors (UptimeRobot, Kubernetes probes, curl in a cron) send GET, some HEAD.
describe("GET /api/system/health", () => {
  it("answers as POST does", async () => {
    const response = expectContract("/api/system/health", "GET", await api().get("/api/system/health"));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: expect.any(String), data: { status: "healthy", timestamp: expect.any(String) } });
  });

  it("answers HEAD with 200 and no body", async () => {
    const response = await fetch(`${api().baseUrl}/api/system/health`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });
});

// SELECT 1 on an open SQLite connection never reads the file, so the check can only fail when it
// needs a new connection and cannot open one. This instance keeps no idle connection in the pool
// that serves SELECTs, so every check opens data.db anew, and a directory in its place makes that
// fail. That is the real check failing against the real binary; nothing is mocked.
describe("POST /api/system/health against a database that cannot be opened", () => {
  let instance: PocketBaseInstance;
  let database: string;
  let lastHealthyAt = 0;
  const CACHE_MS = 1000;

  beforeAll(async () => {
    instance = await startPocketBase({
      env: {},
      extraHooks: { "zz_test_no_idle_connections.pb.js": "onBootstrap((e) => { e.next(); e.app.concurrentDB().db().setMaxIdleConns(0); });\n" },
    });
    database = join(instance.dataDir, "data.db");
  });
  afterAll(async () => {
    await instance.stop();
    instance.remove();
  });

  async function health() {
    const response = await api(instance.url).post("/api/system/health");
    if (response.status === 200) lastHealthyAt = Date.now();
    return response;
  }
  // The pool's connections keep the moved file open; new ones find a directory at the path.
  const makeUnopenable = () => {
    renameSync(database, `${database}.moved`);
    mkdirSync(database);
  };
  const restore = () => {
    rmdirSync(database);
    renameSync(`${database}.moved`, database);
  };
  // Past any success a previous check may have cached.
  const afterCachedSuccess = (answeredAt: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, answeredAt + CACHE_MS + 20 - Date.now())));

  it("answers 503 while the database cannot be opened, and healthy again at once when it can: a failure is never cached", async () => {
    await afterCachedSuccess(lastHealthyAt);
    makeUnopenable();
    try {
      const failed = await health();
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual(failureBody(503, "database_unavailable", "数据库不可用"));
      expect((await health()).status).toBe(503);
    } finally {
      restore();
    }
    const failedAt = Date.now();
    expect((await health()).status).toBe(200);
    expect(Date.now() - failedAt, "answered within the second a cached failure would last").toBeLessThan(CACHE_MS);
  });

  it("remembers a successful check for at most one second", async () => {
    await afterCachedSuccess(lastHealthyAt);
    const checkedFrom = Date.now();
    expect((await health()).status).toBe(200); // a real check: no success is cached any more
    const checkedBy = Date.now();
    makeUnopenable();
    try {
      // Within the second: answered from the cache, the database is not touched.
      const cached = await health();
      expect(Date.now() - checkedFrom, "the machine stalled for a second: cannot tell").toBeLessThan(CACHE_MS);
      expect(cached.status).toBe(200);
      // Once the second is over, even for a check that ran as late as possible, it checks again.
      await afterCachedSuccess(checkedBy);
      expect((await health()).status).toBe(503);
    } finally {
      restore();
    }
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
