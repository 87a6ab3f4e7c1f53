import { describe, expect, it } from "vitest";
import { redact } from "./log";

describe("redact", () => {
  it("hides WeChat secrets, tokens and codes in URLs", () => {
    const line = 'Get "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=abc123&js_code=0a1b&grant_type=authorization_code": timeout';
    expect(redact(line)).toBe('Get "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=***&js_code=***&grant_type=authorization_code": timeout');
    expect(redact("getuserphonenumber?access_token=TOKEN123")).toBe("getuserphonenumber?access_token=***");
  });

  it("hides JSON secrets, bearer tokens and phone numbers", () => {
    expect(redact('{"session_key":"k==","openid":"o1"}')).toBe('{"session_key":"***","openid":"o1"}');
    expect(redact("Authorization: Bearer eyJ.a.b")).toBe("Authorization: Bearer ***");
    expect(redact("phone 13800138000 saved")).toBe("phone 138****8000 saved");
  });
});
