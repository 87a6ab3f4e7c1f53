import { describe, expect, it } from "vitest";
import { isInfoComplete, maskPhone, nextUsersId, usersIdPrefix, usersTypeAfterUpdate } from "./user-profile";

const empty = { users_name: "", users_phone: "", users_picture: "" };
const full = { users_name: "张三", users_phone: "13800138000", users_picture: "https://example.com/a.png" };

describe("usersTypeAfterUpdate", () => {
  it.each([
    ["a guest filling all three empty fields becomes 注册用户", "游客", empty, full, "注册用户"],
    ["a guest who already had a name stays a guest", "游客", { ...empty, users_name: "李四" }, full, "游客"],
    ["a guest with only a phone stays a guest", "游客", { ...empty, users_phone: "13900000000" }, full, "游客"],
    ["a guest filling only two fields stays a guest", "游客", empty, { ...full, users_picture: "" }, "游客"],
    ["a registered user changing everything stays registered", "注册用户", full, { ...full, users_name: "王五" }, "注册用户"],
    ["a registered user whose fields were cleared by staff stays registered", "注册用户", empty, full, "注册用户"],
  ])("%s", (_, currentType, before, after, expected) => {
    expect(usersTypeAfterUpdate(currentType, before, after)).toBe(expected);
  });
});

describe("isInfoComplete", () => {
  it("needs name, phone and picture", () => {
    expect(isInfoComplete(full)).toBe(true);
    expect(isInfoComplete({ ...full, users_phone: "" })).toBe(false);
    expect(isInfoComplete(empty)).toBe(false);
  });
});

describe("maskPhone", () => {
  it.each([
    ["13800138000", "138****8000"],
    ["+8613800138000", "+86****8000"],
    ["", ""],
    ["12345", "1***5"],
    ["12345678", "12****78"],
  ])("%s -> %s", (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe("users_id", () => {
  it("uses the date in Asia/Shanghai", () => {
    expect(usersIdPrefix(new Date("2026-03-19T15:59:59Z"))).toBe("U20260319");
    expect(usersIdPrefix(new Date("2026-03-19T16:00:00Z"))).toBe("U20260320");
  });

  it("counts up within the day and starts at 0001", () => {
    expect(nextUsersId("U20260319", "")).toBe("U202603190001");
    expect(nextUsersId("U20260319", "U202603190041")).toBe("U202603190042");
    expect(nextUsersId("U20260319", "U202603189999")).toBe("U202603190001");
  });

  it("grows a fifth digit after 9999 instead of colliding", () => {
    expect(nextUsersId("U20260319", "U202603199999")).toBe("U2026031910000");
    expect(nextUsersId("U20260319", "U2026031910000")).toBe("U2026031910001");
  });
});
