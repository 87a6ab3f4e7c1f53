import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import { nicknameFlagChange } from "./nickname-check";
import { flagsWith } from "./user-flags";

const statusOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ApiFailure ? { status: error.status, data: error.data } : error;
  }
  return "not refused";
};

describe("nicknameFlagChange", () => {
  it("refuses a risky nickname as a field error on users_name", () => {
    expect(statusOf(() => nicknameFlagChange("risky", false))).toEqual({ status: 400, data: { users_name: { code: "content_risky", message: expect.any(String) } } });
  });

  it.each([
    ["review", false, ["头像违规"], ["头像违规", "昵称待复核"]],
    ["pass", false, ["昵称待复核", "昵称未检测", "头像违规"], ["头像违规"]],
    ["unavailable", false, ["昵称待复核"], ["昵称未检测"]],
    ["off", false, ["昵称待复核"], ["昵称待复核"]],
    ["pass", true, ["昵称未检测"], []],
  ] as const)("%s (fail-closed %s) turns %j into %j", (verdict, failClosed, before, after) => {
    const change = nicknameFlagChange(verdict, failClosed);
    expect(flagsWith(before, change.add, change.remove)).toEqual(after);
  });

  it("answers 503 when WeChat could not check and the operator chose fail-closed", () => {
    expect(statusOf(() => nicknameFlagChange("unavailable", true))).toEqual({ status: 503, data: {} });
  });
});
