import { describe, expect, it } from "vitest";
import {
  deletionDueAction,
  deletionDueAt,
  effectiveDeletionDue,
  effectsOfStatusChange,
  failureForAccountStatus,
  readDeletionCooloffDays,
  statusChangeEvents,
} from "./account-status";

const environment = (values: Record<string, string>) => (name: string) => values[name] ?? "";

describe("readDeletionCooloffDays", () => {
  it.each([
    ["", 15],
    ["0", 0],
    ["7", 7],
    ["365", 365],
    ["366", 15],
    ["-1", 15],
    ["1.5", 15],
    ["soon", 15],
  ])("reads ACCOUNT_DELETION_COOLOFF_DAYS=%j as %i days", (raw, days) => {
    expect(readDeletionCooloffDays(environment({ ACCOUNT_DELETION_COOLOFF_DAYS: raw }))).toBe(days);
  });
});

describe("deletionDueAt", () => {
  it("adds whole days", () => {
    expect(deletionDueAt(new Date("2026-03-19T10:00:00Z"), 15).toISOString()).toBe("2026-04-03T10:00:00.000Z");
    expect(deletionDueAt(new Date("2026-03-19T10:00:00Z"), 0).toISOString()).toBe("2026-03-19T10:00:00.000Z");
  });
});

describe("failureForAccountStatus", () => {
  it.each([
    ["正常", null],
    ["待审核", 403],
    ["禁用", 403],
    ["注销中", 403],
    ["已注销", 410],
  ])("answers %s with %s", (status, code) => {
    expect(failureForAccountStatus(status)?.status ?? null).toBe(code);
  });

  it("gives each status its own message", () => {
    const messages = ["待审核", "禁用", "注销中", "已注销"].map((status) => failureForAccountStatus(status)!.msg);
    expect(new Set(messages).size).toBe(4);
  });

  it("tells a user waiting for approval by its error id", () => {
    expect(failureForAccountStatus("待审核")!.error).toBe("account_pending_approval");
  });
});

describe("effectsOfStatusChange", () => {
  it("voids the tokens when an account enters 注销中", () => {
    expect(effectsOfStatusChange("正常", "注销中")).toEqual({ refusal: null, rotateTokenKey: true, erase: false });
  });

  it("leaves a pending deletion alone on other saves", () => {
    expect(effectsOfStatusChange("注销中", "注销中")).toEqual({ refusal: null, rotateTokenKey: false, erase: false });
  });

  it.each([
    ["正常", false],
    ["禁用", true],
  ])("neither erases nor refuses when a deletion is cancelled to %s", (after, rotateTokenKey) => {
    expect(effectsOfStatusChange("注销中", after)).toEqual({ refusal: null, erase: false, rotateTokenKey });
  });

  it("voids the tokens when an account is disabled, and only then", () => {
    expect(effectsOfStatusChange("正常", "禁用")).toMatchObject({ rotateTokenKey: true, refusal: null });
    expect(effectsOfStatusChange("禁用", "禁用").rotateTokenKey).toBe(false);
    expect(effectsOfStatusChange("禁用", "正常").rotateTokenKey).toBe(false);
  });

  it("voids the tokens of an account sent back to approval, not of one approved", () => {
    expect(effectsOfStatusChange("正常", "待审核")).toMatchObject({ rotateTokenKey: true, refusal: null, erase: false });
    expect(effectsOfStatusChange("待审核", "正常").rotateTokenKey).toBe(false);
  });

  it("erases on 已注销, and again on every later save", () => {
    expect(effectsOfStatusChange("注销中", "已注销")).toMatchObject({ erase: true, refusal: null });
    expect(effectsOfStatusChange("已注销", "已注销")).toMatchObject({ erase: true, rotateTokenKey: false, refusal: null });
  });

  it.each([["正常"], ["禁用"], ["注销中"]])("refuses to bring an erased account back to %s", (after) => {
    expect(effectsOfStatusChange("已注销", after).refusal).toBe("已注销的账号不能恢复");
  });
});

describe("deletionDueAction", () => {
  const due = "2026-04-03 10:00:00.000Z";
  const later = "2026-05-01 10:00:00.000Z";
  it.each([
    ["entering 注销中 schedules it", { status: "正常", due: "" }, { status: "注销中", due: "" }, "schedule"],
    ["entering 注销中 from 禁用 schedules it", { status: "禁用", due: "" }, { status: "注销中", due: "" }, "schedule"],
    ["entering 注销中 with a date staff gave keeps theirs", { status: "正常", due: "" }, { status: "注销中", due: later }, "keep"],
    ["another save of a 注销中 account keeps it", { status: "注销中", due }, { status: "注销中", due }, "keep"],
    ["staff may move it", { status: "注销中", due }, { status: "注销中", due: later }, "keep"],
    ["emptying it on a 注销中 account is refused", { status: "注销中", due }, { status: "注销中", due: "" }, "refuse"],
    ["a 注销中 account that had none gets it from its last change", { status: "注销中", due: "" }, { status: "注销中", due: "" }, "fromLastChange"],
    ["a 注销中 account that had none takes a date staff give", { status: "注销中", due: "" }, { status: "注销中", due: later }, "keep"],
    ["cancelling to 正常 clears it", { status: "注销中", due }, { status: "正常", due }, "clear"],
    ["cancelling to 禁用 clears it", { status: "注销中", due }, { status: "禁用", due }, "clear"],
    ["the erasure clears it", { status: "注销中", due }, { status: "已注销", due }, "clear"],
    ["a date staff type on a 正常 account is cleared", { status: "正常", due: "" }, { status: "正常", due: later }, "clear"],
  ] as const)("%s", (_, before, after, action) => {
    expect(deletionDueAction(before, after)).toBe(action);
  });
});

describe("effectiveDeletionDue", () => {
  const lastChangedAt = new Date("2026-03-19T10:00:00Z");
  it("is the due date when there is one", () => {
    expect(effectiveDeletionDue(new Date("2026-03-20T00:00:00Z"), lastChangedAt, 15).toISOString()).toBe("2026-03-20T00:00:00.000Z");
  });

  it("is a cooling-off period after the last change when there is none", () => {
    expect(effectiveDeletionDue(null, lastChangedAt, 15).toISOString()).toBe("2026-04-03T10:00:00.000Z");
    expect(effectiveDeletionDue(null, lastChangedAt, 0).toISOString()).toBe("2026-03-19T10:00:00.000Z");
  });
});

describe("statusChangeEvents", () => {
  it.each([
    ["正常", "正常", []],
    ["正常", "禁用", ["account_disabled"]],
    ["禁用", "正常", ["account_enabled"]],
    ["正常", "注销中", ["deletion_requested"]],
    ["禁用", "注销中", ["deletion_requested"]],
    ["注销中", "正常", ["deletion_cancelled"]],
    ["注销中", "禁用", ["deletion_cancelled", "account_disabled"]],
    ["注销中", "已注销", ["deletion_completed"]],
    ["正常", "已注销", ["deletion_completed"]],
    ["待审核", "正常", ["account_approved"]],
    ["待审核", "禁用", ["account_disabled"]],
    ["正常", "待审核", []],
  ])("%s → %s is %j", (before, after, events) => {
    expect(statusChangeEvents(before, after)).toEqual(events);
  });
});
