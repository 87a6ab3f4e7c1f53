import { describe, expect, it } from "vitest";
import { isInfoComplete, maskPhone, usersTypeAfterFieldsUpdate, usersTypeAfterUpdate } from "./user-profile";

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

describe("usersTypeAfterFieldsUpdate", () => {
  it.each([
    ["a guest filling the last empty field becomes 注册用户", "游客", { ...full, users_phone: "" }, full, "注册用户"],
    ["a guest filling all three at once becomes 注册用户", "游客", empty, full, "注册用户"],
    ["a guest who already had a name, filling the rest, becomes 注册用户", "游客", { ...empty, users_name: "李四" }, full, "注册用户"],
    ["a guest filling one of three stays a guest", "游客", empty, { ...empty, users_name: "张三" }, "游客"],
    ["a guest whose profile was already complete stays a guest", "游客", full, { ...full, users_name: "王五" }, "游客"],
    ["a registered user stays registered", "注册用户", { ...full, users_picture: "" }, full, "注册用户"],
  ])("%s", (_, currentType, before, after, expected) => {
    expect(usersTypeAfterFieldsUpdate(currentType, before, after)).toBe(expected);
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
