import { describe, expect, it } from "vitest";
import { planApplicationUrl, POCKETBASE_DEFAULT_APP_URL } from "./application-url";

describe("planApplicationUrl", () => {
  it("warns at PocketBase's default or an empty one, when APPLICATION_URL is not set", () => {
    for (const current of [POCKETBASE_DEFAULT_APP_URL, `${POCKETBASE_DEFAULT_APP_URL}/`, ""]) {
      const plan = planApplicationUrl(current, "");
      expect(plan.set).toBeNull();
      expect(plan.warning).toContain("load only in a browser on this server");
    }
  });

  it("keeps an Application URL someone set, silently", () => {
    expect(planApplicationUrl("https://mp.example.com/pb", "")).toEqual({ set: null, warning: null });
  });

  it("writes APPLICATION_URL, without its trailing slash, when it differs", () => {
    expect(planApplicationUrl(POCKETBASE_DEFAULT_APP_URL, " https://mp.example.com/pb/ ")).toEqual({ set: "https://mp.example.com/pb", warning: null });
    expect(planApplicationUrl("https://mp.example.com/pb", "https://mp.example.com/pb/")).toEqual({ set: null, warning: null });
  });

  it.each(["mp.example.com/pb", "ftp://mp.example.com", "/pb"])("refuses APPLICATION_URL %j, loudly, and keeps the one there is", (wanted) => {
    const plan = planApplicationUrl("https://old.example.com", wanted);
    expect(plan).toEqual({ set: null, warning: `APPLICATION_URL "${wanted}" is not an http(s) URL; the Application URL stays https://old.example.com.` });
  });
});
