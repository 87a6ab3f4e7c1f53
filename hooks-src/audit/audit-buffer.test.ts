import { describe, expect, it, vi } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { auditEntry } from "./audit";
import { AuditVm, bufferAuditEvent, bufferedRow, flushAuditEvents } from "./audit-buffer";
import { AUDIT_COLUMNS, auditRowOf, auditTupleOf } from "./audit-events";

// A written tuple as the row it stands for.
const rowOf = (tuple: unknown[]) => Object.fromEntries(AUDIT_COLUMNS.map((column, index) => [column, tuple[index]]));

const login = (n: number) => ({ event: "login", pb_id: `p${n}`, users_id: `U${n}`, ip: "203.0.113.9" });

describe("bufferedRow", () => {
  it("is the row auditRowOf makes of the same event", () => {
    const now = new Date("2026-11-22T19:33:39.123Z");
    const tuple = JSON.parse(bufferedRow({ event: "refresh", users_id: "U202611220001", pb_id: "abc123xyz456789", ip: "2001:db8::1" }, now));
    const entry = auditEntry("refresh", { pb_id: "abc123xyz456789", users_id: "U202611220001" }, { by: "user", ip: "2001:db8::1" });
    const [, ...rest] = auditTupleOf(auditRowOf(entry, now));
    expect(tuple).toEqual([expect.stringMatching(/^[a-z0-9]{15}$/), ...rest]);
  });

  it("holds a login's appid as its one detail, as auditRowOf does", () => {
    const now = new Date("2026-11-22T19:33:39.123Z");
    const row = rowOf(JSON.parse(bufferedRow({ event: "login", users_id: "U202611220001", pb_id: "abc123xyz456789", ip: "203.0.113.9", appid: "wx\"oa" }, now)));
    const entry = auditEntry("login", { pb_id: "abc123xyz456789", users_id: "U202611220001" }, { by: "user", ip: "203.0.113.9" }, { appid: "wx\"oa" });
    expect(row).toEqual({ ...auditRowOf(entry, now), id: expect.stringMatching(/^[a-z0-9]{15}$/) });
    expect(row.details).toEqual({ appid: 'wx"oa' });
  });
});

function buffered(batchRows = 3) {
  const memory = new MemoryStore();
  const batches: unknown[][] = [];
  const write = (rowsJson: string) => void batches.push(JSON.parse(rowsJson).map(rowOf));
  // Each event from a VM of its own, as in a VM's first request: the shared space.
  const add = (n: number) => bufferAuditEvent(login(n), new Date(n * 1000), asStore(memory), write, batchRows, new AuditVm());
  const addIn = (vm: AuditVm, n: number) => bufferAuditEvent(login(n), new Date(n * 1000), asStore(memory), write, batchRows, vm);
  return { memory, batches, write, add, addIn, flush: () => flushAuditEvents(asStore(memory), write) };
}

const usersIdsOf = (batch: unknown[]) => batch.map((row) => (row as { users_id: string }).users_id);

describe("bufferAuditEvent", () => {
  it("writes nothing until a batch is full, then the batch in order, as one write", () => {
    const { batches, add } = buffered();
    add(1);
    add(2);
    expect(batches).toEqual([]);
    add(3);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([1, 2, 3].map((n) => expect.objectContaining({ event: "login", users_id: `U${n}`, pb_id: `p${n}`, created: new Date(n * 1000).toISOString().replace("T", " ") })));
    add(4);
    add(5);
    add(6);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3]);
  });

  it("leaves nothing behind once written", () => {
    const { memory, add } = buffered();
    for (let n = 1; n <= 3; n++) add(n);
    expect(memory.keys().filter((key) => key.startsWith("bai.audit.row."))).toEqual([]);
  });
});

describe("a pooled VM's own space", () => {
  it("takes a VM's events from its second one on, numbered by the VM, and writes them in batches of its own", () => {
    const { memory, batches, addIn } = buffered();
    const vm = new AuditVm();
    for (let n = 1; n <= 4; n++) addIn(vm, n);
    expect(memory.get("bai.audit.sequence")).toBe(1);
    expect(memory.get("bai.audit.spaces")).toEqual([vm.space!.id]);
    expect(batches.map(usersIdsOf)).toEqual([["U2", "U3", "U4"]]);
  });

  it("keeps two VMs' rows apart, and a flush writes every space's leftovers once", () => {
    const { memory, batches, addIn, flush } = buffered(10);
    const [a, b] = [new AuditVm(), new AuditVm()];
    for (const n of [1, 2, 3]) addIn(a, n);
    for (const n of [11, 12, 13]) addIn(b, n);
    expect(memory.get("bai.audit.spaces")).toHaveLength(2);
    flush();
    flush();
    expect(batches.map(usersIdsOf)).toEqual([["U1", "U11", "U2", "U3", "U12", "U13"]]);
    expect(memory.keys().filter((key) => key.startsWith("bai.audit.row."))).toEqual([]);
    addIn(a, 4);
    flush();
    expect(batches.map(usersIdsOf)[1]).toEqual(["U4"]);
  });

  it("registers a space once per VM", () => {
    const { memory, addIn } = buffered(100);
    const vm = new AuditVm();
    for (let n = 1; n <= 20; n++) addIn(vm, n);
    expect(memory.get("bai.audit.spaces")).toHaveLength(1);
  });
});

// A pooled VM may load more than one of our bundles (the lean, the hot and the whole one), each with
// module state of its own: here, two copies of this module, as two bundles in one VM are.
describe("a VM that loads more than one bundle", () => {
  it("numbers the events of all of them in one space", async () => {
    const memory = new MemoryStore();
    const write = () => {};
    for (let bundle = 0; bundle < 2; bundle++) {
      vi.resetModules();
      const copy = await import("./audit-buffer");
      for (let n = 1; n <= 3; n++) copy.bufferAuditEvent(login(n), new Date(n * 1000), asStore(memory), write, 100);
    }
    expect(memory.get("bai.audit.sequence")).toBe(1);
    expect(memory.get("bai.audit.spaces")).toHaveLength(1);
  });
});

describe("flushAuditEvents", () => {
  it("writes what waits (a cron job, a read of the trail, a stop), and nothing when nothing waits", () => {
    const { batches, add, flush } = buffered();
    flush();
    add(1);
    add(2);
    flush();
    flush();
    expect(batches.map((batch) => batch.length)).toEqual([2]);
  });

  it("stops at a row whose event has its number but not yet its row, and takes it next time", () => {
    const { memory, batches, add, flush } = buffered(10);
    add(1);
    memory.set("bai.audit.sequence", 2); // event 2 took its number…
    add(3);
    flush();
    expect(batches).toEqual([[expect.objectContaining({ users_id: "U1" })]]);
    memory.set("bai.audit.row.2", JSON.stringify(["i2", "", "login", "U2"])); // …and leaves its row now
    flush();
    expect(batches[1]).toEqual([expect.objectContaining({ id: "i2", users_id: "U2" }), expect.objectContaining({ users_id: "U3" })]);
  });

  it("leaves the rows to a flush already running", () => {
    const { memory, batches, add, flush } = buffered(10);
    add(1);
    memory.set("bai.audit.flushing", true);
    flush();
    expect(batches).toEqual([]);
    memory.remove("bai.audit.flushing");
    flush();
    expect(batches).toHaveLength(1);
  });

  it("is free to run again after a write that threw", () => {
    const { memory, add } = buffered(10);
    add(1);
    expect(() => flushAuditEvents(asStore(memory), () => { throw new Error("disk full"); })).toThrow("disk full");
    expect(memory.get("bai.audit.flushing")).toBeUndefined();
  });
});
