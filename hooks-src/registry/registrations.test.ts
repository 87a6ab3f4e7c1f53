import { describe, expect, it } from "vitest";
import { registrations, registrationsOf } from "./registrations";
import type { Route } from "./route-table";

const route = (method: Route["method"], path: string): Route => ({ method, path, handle: () => {}, envelope: true, maxBodyBytes: 1024 });

describe("registrationsOf", () => {
  it("answers 405 for every other method on a path, once per path", () => {
    const { methodNotAllowed } = registrationsOf([route("POST", "/a"), route("GET", "/a"), route("POST", "/b")], []);
    expect(methodNotAllowed.filter((entry) => entry.path === "/a").map((entry) => entry.method)).toEqual(["PUT", "PATCH", "DELETE", "TRACE", "QUERY"]);
    expect(methodNotAllowed.filter((entry) => entry.path === "/b").map((entry) => entry.method)).toEqual(["GET", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"]);
  });

  it("refuses a route declared twice", () => {
    expect(() => registrationsOf([route("POST", "/a"), route("POST", "/a")], [])).toThrow("POST /a is declared twice");
  });

  it("hands PocketBase plain data, not the handlers", () => {
    const { routes, cronJobs } = registrations();
    expect(routes.length).toBeGreaterThan(0);
    for (const entry of [...routes, ...cronJobs]) expect(Object.values(entry).every((value) => typeof value !== "function")).toBe(true);
  });
});
