// The built-in PocketBase rate limiter, configured by our migration, on an instance of its
// own. Clients are told apart by X-Real-IP, which the instance trusts as a proxy would set it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { failures } from "../support/responses";
import { startWithSimulator, type PocketBaseInstance } from "../support/pocketbase";

let own: Awaited<ReturnType<typeof startWithSimulator>>;
let instance: PocketBaseInstance;

beforeAll(async () => {
  own = await startWithSimulator();
  instance = own.instance;
  const admin = await adminClient(instance.url);
  await admin.pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
});

afterAll(() => own.close());

const refreshFrom = (ip: string) => api(instance.url).post("/api/wechat/refresh-token", undefined, { headers: { "x-real-ip": ip } });

describe("rate limits", () => {
  it("are set by the migration, before PocketBase's catch-all rule, for ops to tune", async () => {
    const settings = await (await adminClient(instance.url)).pb.settings.getAll();
    expect(settings.rateLimits.enabled).toBe(true);
    const labels = settings.rateLimits.rules.map((rule: { label: string }) => rule.label);
    const ours = [
      "POST /api/wechat/login",
      "POST /api/wechat/phone-login",
      "POST /api/wechat/oa/login",
      "POST /api/wechat/refresh-token",
      "POST /api/wechat/profile",
      "POST /api/wechat/avatar",
      "POST /api/wechat/profile/fields",
      "GET /api/wechat/my-data",
      "/api/wechat/",
    ];
    expect(labels.slice(0, ours.length)).toEqual(ours);
    expect(labels.indexOf("/api/wechat/")).toBeLessThan(labels.indexOf("/api/"));
  });

  it("answer 429 in our envelope once one client goes over, and spare other clients", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++) statuses.push((await refreshFrom("203.0.113.7")).status);
    expect(statuses.slice(0, 300).every((status) => status === 401)).toBe(true);
    const limited = await refreshFrom("203.0.113.7");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(failures.rateLimited);
    expect((await refreshFrom("198.51.100.9")).status).toBe(401);
  });
});
