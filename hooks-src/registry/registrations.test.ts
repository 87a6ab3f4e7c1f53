import { describe, expect, it } from "vitest";
import { registrations, registrationsOf } from "./registrations";
import { bundleOptions } from "../../scripts/bundle-options.mjs";
import type { Route } from "./route";
import { HOT_BUNDLE, LEAN_BUNDLE, MAIN_BUNDLE, routeBundles } from "./route-table";

const route = (method: Route["method"], path: string): Route => ({ method, path, handle: () => {}, envelope: true, maxBodyBytes: 1024 });
const inOneBundle = (...routes: Route[]) => [{ bundle: "b.js", routes }];

describe("registrationsOf", () => {
  it("answers 405 for every other method on a path, once per path", () => {
    const { methodNotAllowed } = registrationsOf(inOneBundle(route("POST", "/a"), route("GET", "/a"), route("POST", "/b")), []);
    expect(methodNotAllowed.filter((entry) => entry.path === "/a").map((entry) => entry.method)).toEqual(["PUT", "PATCH", "DELETE", "TRACE", "QUERY"]);
    expect(methodNotAllowed.filter((entry) => entry.path === "/b").map((entry) => entry.method)).toEqual(["GET", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"]);
  });

  it("refuses a route declared twice", () => {
    expect(() => registrationsOf(inOneBundle(route("POST", "/a"), route("POST", "/a")), [])).toThrow("POST /a is declared twice");
  });

  it("hands PocketBase plain data, not the handlers", () => {
    const { routes, cronJobs } = registrations();
    expect(routes.length).toBeGreaterThan(0);
    for (const entry of [...routes, ...cronJobs]) expect(Object.values(entry).every((value) => typeof value !== "function")).toBe(true);
  });

  it("refuses a route declared in both bundles", () => {
    expect(() => registrationsOf([{ bundle: "a.js", routes: [route("POST", "/a")] }, { bundle: "b.js", routes: [route("POST", "/a")] }], [])).toThrow("POST /a is declared twice");
  });

  it("names the bundle that serves each route, one that the build writes", () => {
    const { routes, hotBundle } = registrations();
    const written = Object.keys(bundleOptions().entryPoints).map((name) => `${name}.js`);
    expect(written.sort()).toEqual([HOT_BUNDLE, LEAN_BUNDLE, MAIN_BUNDLE].sort());
    expect(hotBundle).toBe(HOT_BUNDLE);
    expect(routes.find((entry) => entry.key === "POST /api/wechat/login")?.bundle).toBe(HOT_BUNDLE);
    expect(routes.find((entry) => entry.key === "POST /api/wechat/refresh-token")?.bundle).toBe(LEAN_BUNDLE);
    expect(routes.find((entry) => entry.key === "POST /api/wechat/avatar")?.bundle).toBe(MAIN_BUNDLE);
    expect(routes).toHaveLength(routeBundles.flatMap((entry) => entry.routes).length);
  });
});
