import { describe, expect, it } from "vitest";
import { PreparedQuery } from "./prepared-query";

class FakeQuery {
  prepared = false;
  closed = false;
  constructor(readonly serial: number) {}
  prepare() {
    this.prepared = true;
    return this;
  }
  close() {
    this.closed = true;
  }
}

function counting() {
  const built: FakeQuery[] = [];
  const prepared = new PreparedQuery(() => {
    const query = new FakeQuery(built.length);
    built.push(query);
    return query;
  });
  return { built, prepared };
}

describe("PreparedQuery", () => {
  it("does not prepare on a VM's first call, which may be a throwaway VM's only one", () => {
    const { prepared } = counting();
    expect(prepared.query("v1").prepared).toBe(false);
  });

  it("prepares at the second call and keeps that statement", () => {
    const { built, prepared } = counting();
    prepared.query("v1");
    const second = prepared.query("v1");
    expect(second.prepared).toBe(true);
    expect(prepared.query("v1")).toBe(second);
    expect(prepared.query("v1")).toBe(second);
    expect(built).toHaveLength(2);
  });

  it("builds anew, and closes the old statement, when the version changes", () => {
    const { built, prepared } = counting();
    prepared.query("v1");
    const old = prepared.query("v1");
    const fresh = prepared.query("v2");
    expect(fresh).not.toBe(old);
    expect(fresh.prepared).toBe(true);
    expect(old.closed).toBe(true);
    expect(prepared.query("v2")).toBe(fresh);
    expect(built).toHaveLength(3);
  });
});
