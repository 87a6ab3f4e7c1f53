// bai.filter() must escape exactly as PocketBase's own SDK does: every case is compared with pb.filter().
import PocketBase from "pocketbase";
import { describe, expect, it } from "vitest";
import { filter } from "../src/filter";

const pb = new PocketBase("http://127.0.0.1:8090");

describe("filter", () => {
  it.each([
    ["no params", "title = 'x'", undefined],
    ["empty params", "title = {:title}", {}],
    ["a string with quotes, backslashes and a newline", "title = {:title}", { title: `O'Brien "x" \\ \n 张三` }],
    ["numbers, booleans, null and undefined", "a = {:a} && b = {:b} && c = {:c} && d = {:d} && e = {:e}", { a: 42, b: -1.5, c: true, d: null, e: undefined }],
    ["a Date", "created >= {:since}", { since: new Date("2026-03-19T10:00:00.123Z") }],
    ["an array and an object", "tags = {:tags} || meta = {:meta}", { tags: ["a", "b"], meta: { k: "v" } }],
    ["an object with toJSON", "id = {:id}", { id: { toJSON: () => "custom" } }],
    ["a placeholder used twice", "a = {:x} || b = {:x}", { x: "y" }],
    ["a value holding another placeholder, substituted once", "a = {:a} && b = {:b}", { a: "{:b}", b: "x" }],
    ["keys with regex characters", "a = {:a.b} && c = {:c*} && d = {:(d)}", { "a.b": 1, "c*": 2, "(d)": 3 }],
    ["a key that is not in the expression", "a = 1", { missing: "x" }],
    ["a placeholder without a param", "a = {:a} && b = {:b}", { a: "x" }],
  ])("%s", (_, raw, params) => {
    expect(filter(raw, params as Record<string, unknown> | undefined)).toBe(pb.filter(raw, params));
  });
});
