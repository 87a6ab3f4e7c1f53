import { describe, expect, it } from "vitest";
import { failures } from "../errors";
import { WechatErrcodeError, WechatNetworkError } from "../wechat/errors";
import { auditEntry } from "./audit";
import { auditCutoff, auditRowId, auditRowOf, readAuditRetentionDays } from "./audit-events";
import { changedProfileFields } from "./changed-fields";
import { loginFailureDetails } from "./login-failures";

const user = { pb_id: "abc123xyz456789", users_id: "U202603190001" };

describe("auditEntry", () => {
  it("holds the event, the user, who acted and from where, then the details, in that order", () => {
    const entry = auditEntry("logout", user, { by: "user", ip: "203.0.113.9" }, { scope: "all" });
    expect(entry).toEqual({ event: "logout", pb_id: "abc123xyz456789", users_id: "U202603190001", by: "user", ip: "203.0.113.9", scope: "all" });
    expect(Object.keys(entry)).toEqual(["event", "pb_id", "users_id", "by", "ip", "scope"]);
  });

  it("leaves out what is not known", () => {
    expect(auditEntry("login_failed", null, { by: "user", ip: "::1" }, { status: 400 })).toEqual({ event: "login_failed", by: "user", ip: "::1", status: 400 });
    expect(auditEntry("deletion_completed", user, { by: "cron" })).toEqual({ event: "deletion_completed", ...user, by: "cron" });
  });

  it("redacts any phone number or token that reaches a detail", () => {
    const entry = auditEntry("login_failed", null, { by: "user" }, { reason: "13800138000 Bearer eyJa.b.c" });
    expect(JSON.stringify(entry)).not.toMatch(/13800138000|eyJ/);
  });
});

describe("changedProfileFields", () => {
  const before = { users_name: "", users_phone: "", users_picture: "", users_type: "游客" };
  it("names the changed fields, not their values", () => {
    expect(changedProfileFields(before, { users_name: "张三", users_phone: "13800138000", users_picture: "https://e.com/a.png", users_type: "注册用户" })).toEqual([
      "users_name", "users_phone", "users_picture", "users_type",
    ]);
    expect(changedProfileFields(before, { ...before, users_name: "李四" })).toEqual(["users_name"]);
    expect(changedProfileFields(before, before)).toEqual([]);
  });
});

describe("loginFailureDetails", () => {
  it("gives WeChat's errcode with the answer the user got", () => {
    expect(loginFailureDetails(new WechatErrcodeError(40029, "invalid code"))).toEqual({
      status: 400, reason: "微信 code 无效或已过期", fields: "users_wx_code:wechat_code_invalid", error: "wechat_code_invalid", errcode: 40029,
    });
  });

  it("describes our own refusals and WeChat outages by their answer", () => {
    expect(loginFailureDetails(failures.accountDisabled())).toEqual({ status: 403, reason: "账号已被禁用,请联系管理员", error: "account_disabled" });
    expect(loginFailureDetails(new WechatNetworkError(true))).toEqual({ status: 504, reason: "微信服务响应超时,请稍后重试", error: "wechat_timeout" });
    expect(loginFailureDetails(failures.invalidFields({ users_wx_code: { code: "validation_required", message: "不能为空" } }))).toMatchObject({
      status: 400, fields: "users_wx_code:validation_required",
    });
  });

  it("says no more than 500 about an unexpected error", () => {
    expect(loginFailureDetails(new Error("secret=abc"))).toEqual({ status: 500, reason: "服务器内部错误", error: "internal_error" });
  });
});

describe("auditRowOf", () => {
  it("puts the event, the user, who acted and from where in columns, the rest in details, at PocketBase's date format", () => {
    const entry = auditEntry("logout", user, { by: "user", ip: "203.0.113.9" }, { scope: "all" });
    expect(auditRowOf(entry, new Date("2026-11-22T19:33:39.123Z"))).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{15}$/), created: "2026-11-22 19:33:39.123Z", event: "logout", users_id: "U202603190001", pb_id: "abc123xyz456789", by: "user", ip: "203.0.113.9", staff: "", details: { scope: "all" },
    });
    expect(auditRowOf(auditEntry("deletion_completed", null, { by: "cron" }), new Date(0))).toMatchObject({ users_id: "", pb_id: "", ip: "", staff: "", details: {} });
  });
});

describe("readAuditRetentionDays", () => {
  it("keeps 180 days unless told otherwise, from 1 day to 10 years", () => {
    const days = (value: string) => readAuditRetentionDays(() => value);
    expect(days("")).toEqual({ days: 180, problem: null });
    expect(days("365")).toEqual({ days: 365, problem: null });
    expect(days("0").days).toBe(180);
    expect(days("0").problem).toMatch(/AUDIT_RETENTION_DAYS/);
    expect(days("3651").days).toBe(180);
    expect(days("1.5").days).toBe(180);
    expect(auditCutoff(new Date("2026-11-22T00:00:00Z"), 180).toISOString()).toBe("2026-05-26T00:00:00.000Z");
  });
});

describe("auditRowId", () => {
  it("is PocketBase's id shape, and sorts as the time it was made", () => {
    const ids = [0, 1, 999, 1_000_000, Date.parse("2026-11-22T00:00:00Z"), Date.parse("2099-01-01T00:00:00Z")].map((ms) => auditRowId(new Date(ms)));
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{15}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(auditRowId(new Date(0), () => 0)).toBe("000000000000000");
    expect(auditRowId(new Date(0), () => 1 - Number.EPSILON)).toBe("000000000zzzzzz");
  });
});
