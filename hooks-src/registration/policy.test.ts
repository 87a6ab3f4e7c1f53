import { describe, expect, it } from "vitest";
import { admissionOf, effectivePolicy, readPolicyFromEnvironment, REGISTRATION_POLICIES, type RegistrationPolicy } from "./policy";

const environment = (value: string) => (name: string) => (name === "REGISTRATION_POLICY" ? value : "");

describe("readPolicyFromEnvironment", () => {
  it("is open when REGISTRATION_POLICY is unset", () => {
    expect(readPolicyFromEnvironment(environment(""))).toEqual({ policy: "open" });
  });

  it.each(REGISTRATION_POLICIES.map((policy) => [policy]))("reads %s", (policy) => {
    expect(readPolicyFromEnvironment(environment(` ${policy} `))).toEqual({ policy });
  });

  it.each([["close"], ["OPEN"], ["phone-match"]])("closes registration on %j, and says why", (raw) => {
    const setting = readPolicyFromEnvironment(environment(raw));
    expect(setting.policy).toBe("closed");
    expect(setting.problem).toContain(`REGISTRATION_POLICY="${raw}"`);
  });
});

describe("effectivePolicy", () => {
  it("is staff's choice when they made one, else the environment's", () => {
    expect(effectivePolicy("approval", "open")).toBe("approval");
    expect(effectivePolicy("", "closed")).toBe("closed");
    expect(effectivePolicy("bogus", "phone_match")).toBe("phone_match");
  });
});

describe("admissionOf", () => {
  const cases: Array<[RegistrationPolicy, boolean, string]> = [
    ["open", false, "正常"],
    ["open", true, "正常"],
    ["approval", false, "待审核"],
    ["approval", true, "待审核"],
    ["phone_match", false, "phone_login_required"],
    ["phone_match", true, "phone_not_registered"],
    ["closed", false, "phone_login_required"],
    ["closed", true, "registration_closed"],
  ];
  it.each(cases)("under %s, with a verified phone %s: %s", (policy, phoneVerified, expected) => {
    const admission = admissionOf(policy, { phoneVerified, invited: false });
    expect("refusal" in admission ? admission.refusal.error : admission.status).toBe(expected);
    if ("refusal" in admission) expect(admission.refusal.status).toBe(403);
  });

  it.each(REGISTRATION_POLICIES.map((policy) => [policy]))("admits an invited person under %s", (policy) => {
    expect(admissionOf(policy, { phoneVerified: false, invited: true })).toEqual({ status: "正常" });
  });
});
