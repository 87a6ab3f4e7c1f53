import { describe, expect, it } from "vitest";
import { recordsApiPath } from "./record-update";

describe("recordsApiPath", () => {
  it("is PocketBase's update path for the collection and id", () => {
    expect(recordsApiPath("tbl_orders", "abc123")).toEqual({ path: "/api/collections/tbl_orders/records/abc123", rawPath: "/api/collections/tbl_orders/records/abc123" });
  });

  it.each([
    ["a slash", "a/b", "x", "/api/collections/a%2Fb/records/x"],
    ["a climb", "../../settings", "x", "/api/collections/..%2F..%2Fsettings/records/x"],
    ["a query", "c", "x?expand=y", "/api/collections/c/records/x%3Fexpand%3Dy"],
  ])("keeps %s inside its segment, escaped", (_, collection, id, rawPath) => {
    expect(recordsApiPath(collection, id).rawPath).toBe(rawPath);
  });
});
