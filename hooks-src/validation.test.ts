import { describe, expect, it } from "vitest";
import { ApiFailure } from "./errors";
import { readLoginRequest, readPhoneLoginRequest, readProfileFieldsRequest, readProfileRequest, readWebLoginRequest } from "./validation";

function problemsOf(read: () => unknown): Record<string, { code: string }> {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    expect((error as ApiFailure).status).toBe(400);
    return (error as ApiFailure).data;
  }
  throw new Error("expected a 400");
}

const validProfile = { users_name: "张三", users_phone_code: "abc123", users_picture: "https://example.com/a.png" };

describe("readPhoneLoginRequest", () => {
  it("reads both codes of one tap, with the login's options", () => {
    expect(readPhoneLoginRequest({ users_wx_code: "w1", users_phone_code: "p1", invite_code: "TEAM-2026", appid: "wx1", cancel_deletion: false })).toEqual({
      wechatCode: "w1",
      phoneCode: "p1",
      inviteCode: "TEAM-2026",
      appId: "wx1",
      cancelDeletion: false,
    });
  });

  it("names every problem at once", () => {
    expect(problemsOf(() => readPhoneLoginRequest({ invite_code: 7 }))).toEqual({
      invite_code: expect.objectContaining({ code: "validation_invalid_type" }),
      users_wx_code: expect.objectContaining({ code: "validation_required" }),
      users_phone_code: expect.objectContaining({ code: "validation_required" }),
    });
  });
});

describe("invite_code", () => {
  it.each([
    ["", "validation_required"],
    [7, "validation_invalid_type"],
    ["x".repeat(65), "validation_too_long"],
    ["邀请码", "invite_invalid"],
    ["a b", "invite_invalid"],
  ])("refuses %j", (inviteCode, code) => {
    expect(problemsOf(() => readLoginRequest({ users_wx_code: "abc", invite_code: inviteCode }))).toEqual({ invite_code: expect.objectContaining({ code }) });
  });

  it("is optional", () => {
    expect(readLoginRequest({ users_wx_code: "abc", invite_code: null })).toEqual({ wechatCode: "abc", cancelDeletion: true });
  });
});

describe("readLoginRequest", () => {
  it("accepts a WeChat code, which may cancel a pending deletion unless the client says not", () => {
    expect(readLoginRequest({ users_wx_code: "0a1B2c3D4e5F6g" })).toEqual({ wechatCode: "0a1B2c3D4e5F6g", cancelDeletion: true });
    expect(readLoginRequest({ users_wx_code: "abc", cancel_deletion: null })).toEqual({ wechatCode: "abc", cancelDeletion: true });
    expect(readLoginRequest({ users_wx_code: "abc", cancel_deletion: true })).toEqual({ wechatCode: "abc", cancelDeletion: true });
    expect(readLoginRequest({ users_wx_code: "abc", cancel_deletion: false })).toEqual({ wechatCode: "abc", cancelDeletion: false });
  });

  it.each([["false"], [0], [[]]])("refuses cancel_deletion %j, with the code's own problem too", (cancelDeletion) => {
    expect(problemsOf(() => readLoginRequest({ users_wx_code: "abc", cancel_deletion: cancelDeletion }))).toEqual({
      cancel_deletion: { code: "validation_invalid_type", message: "必须是 true 或 false" },
    });
    expect(Object.keys(problemsOf(() => readLoginRequest({ cancel_deletion: cancelDeletion })))).toEqual(["cancel_deletion", "users_wx_code"]);
  });

  it.each([
    ["missing", {}, "validation_required"],
    ["empty", { users_wx_code: "" }, "validation_required"],
    ["null", { users_wx_code: null }, "validation_required"],
    ["a number", { users_wx_code: 123 }, "validation_invalid_type"],
    ["an array", { users_wx_code: ["abc"] }, "validation_invalid_type"],
    ["an object", { users_wx_code: { code: "abc" } }, "validation_invalid_type"],
    ["a boolean", { users_wx_code: true }, "validation_invalid_type"],
    ["whitespace", { users_wx_code: "   " }, "validation_invalid_format"],
    ["padded", { users_wx_code: " abc " }, "validation_invalid_format"],
    ["with characters WeChat never issues", { users_wx_code: "abc'; DROP TABLE" }, "validation_invalid_format"],
    ["non-ASCII", { users_wx_code: "代码" }, "validation_invalid_format"],
    ["absurdly long", { users_wx_code: "a".repeat(129) }, "validation_too_long"],
  ])("refuses a code that is %s", (_, body, code) => {
    expect(problemsOf(() => readLoginRequest(body)).users_wx_code.code).toBe(code);
  });
});

describe("readWebLoginRequest", () => {
  it("accepts a 网页授权 code and the app it is for", () => {
    expect(readWebLoginRequest({ code: "061AbC", appid: "wx_oa" })).toEqual({ webCode: "061AbC", appId: "wx_oa", cancelDeletion: true });
    expect(readWebLoginRequest({ code: "c", appid: "wx_oa", cancel_deletion: false }).cancelDeletion).toBe(false);
  });

  it("needs the appid: there is no primary app to fall back on", () => {
    expect(problemsOf(() => readWebLoginRequest({ code: "c" }))).toEqual({ appid: { code: "validation_required", message: "不能为空" } });
    expect(problemsOf(() => readWebLoginRequest({ code: "c", appid: null })).appid.code).toBe("validation_required");
    expect(problemsOf(() => readWebLoginRequest({ code: "c", appid: 7 })).appid.code).toBe("validation_invalid_type");
  });

  it("reports every bad field at once", () => {
    expect(Object.keys(problemsOf(() => readWebLoginRequest({ cancel_deletion: "no" })))).toEqual(["cancel_deletion", "appid", "code"]);
    expect(problemsOf(() => readWebLoginRequest({ code: "a b", appid: "wx_oa" })).code.code).toBe("validation_invalid_format");
  });
});

describe("readProfileRequest", () => {
  it("accepts a valid profile and trims the name", () => {
    expect(readProfileRequest({ ...validProfile, users_name: "  张三 " })).toEqual({
      name: "张三",
      phoneCode: "abc123",
      pictureUrl: "https://example.com/a.png",
    });
  });

  it("reports every bad field at once", () => {
    expect(Object.keys(problemsOf(() => readProfileRequest({})))).toEqual(["users_name", "users_phone_code", "users_picture"]);
  });

  it.each([
    ["markup", "<b>张三</b>"],
    ["an emoji sequence joined by ZWJ", "👨‍👩‍👧 一家"],
    ["64 characters", "名".repeat(64)],
    ["64 astral characters", "😀".repeat(64)],
    ["a combining diaeresis", "Zoe\u0308"],
    ["two stacked combining marks", "Nguye\u0302\u0303n"],
    ["a Tibetan stack", "བསྒྲུབས"],
    ["Thai vowel and tone marks", "สมชาย ใจดี"],
    ["Devanagari", "सत्यम्"],
    ["Arabic", "محمد"],
    ["a middle dot", "阿卜杜勒·阿齐兹"],
    ["an apostrophe", "O'Brien"],
    ["full-width brackets", "张三（销售）"],
    ["an ideographic space", "张\u3000三"],
    ["an emoji with U+FE0F", "小红❤️"],
    ["a keycap", "1️⃣号"],
    ["a flag sequence with U+FE0F before the joiner", "🏳️‍🌈"],
    ["a skin tone", "👍🏽"],
  ])("accepts a name with %s", (_, users_name) => {
    expect(readProfileRequest({ ...validProfile, users_name }).name).toBe(users_name);
  });

  it.each([
    ["only whitespace", " \t ", "validation_required"],
    ["65 characters", "名".repeat(65), "validation_too_long"],
    ["a newline", "张\n三", "validation_invalid_characters"],
    ["a NUL", "张\u0000三", "validation_invalid_characters"],
    ["a zero-width space", "张\u200B三", "validation_invalid_characters"],
    ["a stray zero-width joiner", "张\u200D三", "validation_invalid_characters"],
    ["a right-to-left override", "张\u202E三", "validation_invalid_characters"],
    ["a BOM", "\uFEFF张三", "validation_invalid_characters"],
    ["a line separator (Zl)", "张\u2028三", "validation_invalid_characters"],
    ["a paragraph separator (Zp)", "张\u2029三", "validation_invalid_characters"],
    ["a tag character (Cf)", "张\u{E0041}三", "validation_invalid_characters"],
    ["a cancel tag (Cf)", "张三\u{E007F}", "validation_invalid_characters"],
    ["a subdivision flag, made of tag characters", "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", "validation_invalid_characters"],
    ["a combining grapheme joiner (Mn, shows nothing)", "张\u034F三", "validation_invalid_characters"],
    ["a musical begin beam (Cf)", "张\u{1D173}三", "validation_invalid_characters"],
    ["an ideographic variation selector (Mn, shows nothing)", "葛\u{E0100}", "validation_invalid_characters"],
    ["a lone U+FE0F", "\uFE0F", "validation_invalid_characters"],
    ["U+FE0F after a space", "张 \uFE0F三", "validation_invalid_characters"],
    ["a text presentation selector", "❤\uFE0E", "validation_invalid_characters"],
    ["a stack of 60 combining marks", "Z" + "\u0301".repeat(60), "validation_invalid_characters"],
    ["six marks on one character", "e" + "\u0301\u0302\u0303\u0304\u0305\u0306", "validation_invalid_characters"],
    ["a combining mark first", "\u0301张三", "validation_invalid_characters"],
    ["a combining mark after a space", "张 \u0301三", "validation_invalid_characters"],
    ["only braille blanks (So, shows nothing)", "\u2800\u2800\u2800", "validation_invalid_characters"],
    ["a Hangul filler (Lo, shows nothing)", "\u3164", "validation_invalid_characters"],
    ["a private-use character (Co)", "张\uE000", "validation_invalid_characters"],
    ["an unassigned code point (Cn)", "张\u0378", "validation_invalid_characters"],
    ["a lone surrogate (Cs)", "张\uD800三", "validation_invalid_characters"],
    ["a number", 42, "validation_invalid_type"],
  ])("refuses a name with %s", (_, users_name, code) => {
    expect(problemsOf(() => readProfileRequest({ ...validProfile, users_name })).users_name.code).toBe(code);
  });

  it.each([
    "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTL/132",
    "http://example.com",
    "https://cdn.example.com:8443/a.png?x=1#y",
    "https://EXAMPLE.com/A.PNG",
    "http://127.0.0.1/a.png",
    "http://localhost:8080/a",
    "https://example.com/a%20b?q=[1]",
    "https://example.com/~u/a+b=c;d,e!f*g(h)i$j@k:l",
  ])(
    "accepts the picture %s",
    (users_picture) => {
      expect(readProfileRequest({ ...validProfile, users_picture }).pictureUrl).toBe(users_picture);
    },
  );

  it.each([
    ["javascript:alert(1)", "validation_invalid_url"],
    ["data:image/png;base64,AAAA", "validation_invalid_url"],
    ["ftp://example.com/a.png", "validation_invalid_url"],
    ["//example.com/a.png", "validation_invalid_url"],
    ["https://exa mple.com/a.png", "validation_invalid_url"],
    ["https://example.com/a b.png", "validation_invalid_url"],
    ["https://", "validation_invalid_url"],
    ["HTTPS://EXAMPLE.COM/A.PNG", "validation_invalid_url"],
    ["https://ex..com/a.png", "validation_invalid_url"],
    ["https://-a.com/x", "validation_invalid_url"],
    ["https://a-.com/x", "validation_invalid_url"],
    ["https://1.2.3.999/x", "validation_invalid_url"],
    ["https://example.com:99999/x", "validation_invalid_url"],
    ["https://example.com/%zz", "validation_invalid_url"],
    ['https://example.com/a"b', "validation_invalid_url"],
    ["https://example.com/a<b>", "validation_invalid_url"],
    ["https://example.com/a\\b", "validation_invalid_url"],
    [`https://example.com/${"a".repeat(1010)}`, "validation_too_long"],
  ])("refuses the picture %s", (users_picture, code) => {
    expect(problemsOf(() => readProfileRequest({ ...validProfile, users_picture })).users_picture.code).toBe(code);
  });

  // What PocketBase's url field does with a host (is.URL = govalidator.IsURL); each verdict
  // was checked against that Go code. Our check must refuse exactly what it refuses.
  it.each([
    ["https://x.y.com/x.png", false],
    ["http://a.bc.d/avatar.png", false],
    ["http://0.0.0.0/a.png", false],
    ["http://224.0.0.1/a.png", false],
    ["https://x.com/x.png", true],
    ["http://a.b/x.png", true],
    ["https://ab.y.com/x.png", true],
    ["https://a.bc.de/x.png", true],
    ["https://a.b.c.example.com/x.png", true],
    ["https://www.a.com/x.png", true],
    ["http://a---b.com/x.png", true],
    ["http://1.0.0.0/a.png", true],
    ["http://223.255.255.255/a.png", true],
    ["http://239.255.255.255/a.png", true],
    ["http://240.0.0.1/a.png", true],
  ])("agrees with PocketBase's url field on %s (accepted: %s)", (users_picture, accepted) => {
    const read = () => readProfileRequest({ ...validProfile, users_picture });
    if (accepted) expect(read().pictureUrl).toBe(users_picture);
    else expect(problemsOf(read).users_picture.code).toBe("validation_invalid_url");
  });

  it.each([
    ["a host over 253 characters", `https://${"a".repeat(60)}.`.repeat(4) + "com/x"],
    ["a label over 63 characters", `https://${"a".repeat(64)}.com/x`],
  ])("refuses a picture with %s, as DNS would", (_, users_picture) => {
    expect(problemsOf(() => readProfileRequest({ ...validProfile, users_picture })).users_picture.code).toBe("validation_invalid_url");
  });
});

describe("readProfileFieldsRequest", () => {
  it.each([
    [{ users_name: " 张三 " }, { name: "张三" }],
    [{ users_picture: validProfile.users_picture }, { pictureUrl: validProfile.users_picture }],
    [{ users_phone_code: "abc123" }, { phoneCode: "abc123" }],
    [{ users_name: "张三", users_picture: validProfile.users_picture, extra: 1 }, { name: "张三", pictureUrl: validProfile.users_picture }],
    [{ ...validProfile, users_name: "  张三 " }, { name: "张三", phoneCode: "abc123", pictureUrl: validProfile.users_picture }],
  ])("reads %j as %j, leaving out what was not sent", (body, expected) => {
    expect(readProfileFieldsRequest(body)).toEqual({ name: undefined, phoneCode: undefined, pictureUrl: undefined, ...expected });
  });

  it.each([[{}], [{ users_type: "注册用户", users_phone: "13800138000" }]])("refuses %j, which names no profile field, on all three", (body) => {
    const problems = problemsOf(() => readProfileFieldsRequest(body));
    expect(Object.keys(problems)).toEqual(["users_name", "users_phone_code", "users_picture"]);
    expect(Object.values(problems).every((found) => found.code === "validation_required")).toBe(true);
  });

  it("gives each field sent exactly readProfileRequest's problem, and only for the fields sent", () => {
    const bad = { users_name: "张\u200b三", users_phone_code: "", users_picture: "javascript:alert(1)" };
    const all = problemsOf(() => readProfileRequest(bad));
    for (const name of Object.keys(bad) as Array<keyof typeof bad>) {
      expect(problemsOf(() => readProfileFieldsRequest({ [name]: bad[name] }))).toEqual({ [name]: all[name] });
    }
    expect(problemsOf(() => readProfileFieldsRequest({ users_name: null }))).toEqual({ users_name: { code: "validation_required", message: "不能为空" } });
  });
});
