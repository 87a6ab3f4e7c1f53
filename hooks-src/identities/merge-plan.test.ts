import { describe, expect, it } from "vitest";
import { planMerge, type MergedField } from "./merge-plan";

const user = (fields: Partial<Record<MergedField, string>>): Record<MergedField, string> => ({
  users_name: "",
  users_phone: "",
  users_picture: "",
  users_avatar: "",
  company_id: "",
  openid: "",
  unionid: "",
  ...fields,
});

describe("planMerge", () => {
  it("fills what A lacks from B and keeps what A has", () => {
    const plan = planMerge(user({ users_name: "张三", openid: "oA" }), user({ users_name: "李四", users_phone: "13800138000", company_id: "C1", openid: "oB" }));
    expect(plan).toEqual({ changes: { users_phone: "13800138000", company_id: "C1" }, conflicts: [] });
  });

  it("calls two different phones or unionids a conflict until staff name a winner", () => {
    const a = user({ users_phone: "13800138000", unionid: "uA" });
    const b = user({ users_phone: "13900139000", unionid: "uB" });
    expect(planMerge(a, b).conflicts).toEqual(["users_phone", "unionid"]);
    expect(planMerge(a, b, { users_phone: "from", unionid: "into" })).toEqual({ changes: { users_phone: "13900139000" }, conflicts: [] });
  });

  it("sees no conflict where both sides agree or one is empty", () => {
    expect(planMerge(user({ users_phone: "1", unionid: "u" }), user({ users_phone: "1", unionid: "" }))).toEqual({ changes: {}, conflicts: [] });
  });
});
