import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { failures, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

// Proves a request changed no user and never reached the billed phone-number API.
async function expectNoWriteNorPhoneCall(userId: string, send: () => Promise<unknown>, { reachesWechat = false } = {}) {
  const before = await admin.users.getOne(userId);
  const phoneCallsBefore = (await wechat.stats()).getuserphonenumber;
  await send();
  expect(await admin.users.getOne(userId)).toEqual(before);
  if (!reachesWechat) expect((await wechat.stats()).getuserphonenumber).toBe(phoneCallsBefore);
}

describe("POST /api/wechat/profile", () => {
  it("fills the profile with WeChat's phone number and makes a guest a 注册用户", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const response = await client.profile(token, validProfile({ users_phone_code: codes.phone("13800138000") }));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: expect.any(String), data: { status: "update_success", user: expect.any(Object) } });
    expect(response.body.data.user).toMatchObject({
      pb_id: user.pb_id,
      users_id: user.users_id,
      users_type: "注册用户",
      users_name: "张三",
      users_phone: "13800138000",
      users_phone_masked: "138****8000",
      users_picture: "https://example.com/avatar.png",
    });
    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_type: "注册用户", users_phone: "13800138000" });
  });

  it("stores markup in the name verbatim, as data", async () => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.profile(token, validProfile({ users_name: '<img src=x onerror="alert(1)">' }));
    expect(response.status).toBe(200);
    expect(response.body.data.user.users_name).toBe('<img src=x onerror="alert(1)">');
  });

  describe("the users_type rule", () => {
    it("never changes the type on a later update", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await client.profile(token, validProfile());
      const later = await client.profile(token, validProfile({ users_name: "李四", users_phone_code: codes.phone("13900139000") }));
      expect(later.body.data.user).toMatchObject({ users_type: "注册用户", users_name: "李四", users_phone: "13900139000" });
      expect((await admin.users.getOne(user.pb_id)).users_type).toBe("注册用户");
    });

    it("keeps a guest a guest when a field was already filled before the update", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await admin.users.update(user.pb_id, { users_name: "staff wrote this" });
      const response = await client.profile(token, validProfile());
      expect(response.status).toBe(200);
      expect(response.body.data.user.users_type).toBe("游客");
    });

    it("keeps a registered user registered even if staff emptied the fields", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await client.profile(token, validProfile());
      await admin.users.update(user.pb_id, { users_name: "", users_phone: "", users_picture: "" });
      const response = await client.profile(token, validProfile());
      expect(response.body.data.user.users_type).toBe("注册用户");
    });

    // The rule must judge the record it replaces: here staff fill the name while WeChat is
    // still looking up the phone number, so the update no longer starts from an empty profile.
    it("judges the promotion on the record as it is when saved, not as read before the phone call", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const update = client.profile(token, validProfile({ users_phone_code: codes.slow(1500, "13800138000") }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await admin.users.update(user.pb_id, { users_name: "staff wrote this" });
      const response = await update;
      expect(response.status).toBe(200);
      expect(response.body.data.user).toMatchObject({ users_type: "游客", users_name: "张三", users_phone: "13800138000" });
      expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_type: "游客", users_name: "张三" });
    });

    it("lets concurrent updates of one user all succeed, ending a 注册用户", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => client.profile(token, validProfile({ users_name: `并发${i}` }))));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(responses.every((response) => response.body.data.user.users_type === "注册用户")).toBe(true);
      expect((await admin.users.getOne(user.pb_id)).users_type).toBe("注册用户");
    });
  });

  describe("is_info_complete", () => {
    it("is true on the next login and refresh once name, phone and picture are filled", async () => {
      const name = uniqueName();
      const { token } = await client.signIn(name);
      expect((await client.profile(token, validProfile())).status).toBe(200);
      expect((await client.login(codes.loginAs(name))).body.meta.data.is_info_complete).toBe(true);
      expect((await client.refreshToken(token)).body.meta.data.is_info_complete).toBe(true);
    });

    it("is false again once staff empty one of them", async () => {
      const name = uniqueName();
      const { token, user } = await client.signIn(name);
      await client.profile(token, validProfile());
      await admin.users.update(user.pb_id, { users_picture: "" });
      expect((await client.login(codes.loginAs(name))).body.meta.data.is_info_complete).toBe(false);
      expect((await client.refreshToken(token)).body.meta.data.is_info_complete).toBe(false);
    });
  });

  it("includes the user's company", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const companyId = `C${Date.now()}`;
    await admin.companies.create({ company_id: companyId, company_name: "示例科技有限公司", company_city: "杭州市" });
    await admin.users.update(user.pb_id, { company_id: companyId });
    const response = await client.profile(token, validProfile());
    expect(response.body.data.user.company_id).toBe(companyId);
    expect(response.body.data.user.company).toMatchObject({ company_id: companyId, company_name: "示例科技有限公司", company_city: "杭州市", company_remark: "" });
    expect(Object.keys(response.body.data.user.company)).toHaveLength(13);
  });

  describe("refuses bad input before calling WeChat, writing nothing", () => {
    it.each([
      ["no fields", {}, ["users_name", "users_phone_code", "users_picture"]],
      ["a blank name", validProfile({ users_name: "   " }), ["users_name"]],
      ["a numeric name", validProfile({ users_name: 1 }), ["users_name"]],
      ["a name with a control character", validProfile({ users_name: "张\u0007三" }), ["users_name"]],
      ["a name with a zero-width space", validProfile({ users_name: "张\u200b三" }), ["users_name"]],
      ["an overlong name", validProfile({ users_name: "名".repeat(65) }), ["users_name"]],
      ["a phone code of odd characters", validProfile({ users_phone_code: "13800138000!" }), ["users_phone_code"]],
      ["an empty phone code", validProfile({ users_phone_code: "" }), ["users_phone_code"]],
      ["an array phone code", validProfile({ users_phone_code: ["p"] }), ["users_phone_code"]],
      ["a javascript: picture", validProfile({ users_picture: "javascript:alert(1)" }), ["users_picture"]],
      ["a data: picture", validProfile({ users_picture: "data:image/png;base64,AAAA" }), ["users_picture"]],
      ["an ftp: picture", validProfile({ users_picture: "ftp://example.com/a.png" }), ["users_picture"]],
      ["a null picture", validProfile({ users_picture: null }), ["users_picture"]],
    ])("%s", async (_, body, fields) => {
      const { token, user } = await client.signIn(uniqueName());
      await expectNoWriteNorPhoneCall(user.pb_id, async () => {
        const response = await client.profile(token, body);
        expect(response.status).toBe(400);
        expect(Object.keys(response.body.data).sort()).toEqual([...fields].sort());
      });
    });

    it.each([
      ["malformed JSON", '{"users_name":'],
      ["duplicate keys", JSON.stringify(validProfile()).replace("{", '{"users_name":"a",')],
    ])("a body with %s", async (_, rawBody) => {
      const { token, user } = await client.signIn(uniqueName());
      await expectNoWriteNorPhoneCall(user.pb_id, async () => {
        const response = await client.post("/api/wechat/profile", undefined, { token, rawBody });
        expect(response.status).toBe(400);
        expect(response.body).toEqual(failures.malformedJson);
      });
    });

    it("a body that is not JSON answers 415", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await expectNoWriteNorPhoneCall(user.pb_id, async () => {
        const response = await client.post("/api/wechat/profile", undefined, {
          token,
          rawBody: "users_name=a",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(response.status).toBe(415);
        expect(response.body).toEqual(failures.unsupportedMediaType);
      });
    });
  });

  describe("answers WeChat's refusals and failures clearly, writing nothing", () => {
    it.each([
      ["an invalid phone code (40029)", "invalid", 400, fieldProblem("users_phone_code", "wechat_code_invalid")],
      ["WeChat's rate limit (45011)", "ratelimit", 429, failures.wechatRateLimited],
      ["a busy WeChat (-1)", "busy", 502, failures.wechatUnavailable],
      ["an HTTP 500", "http500", 502, failures.wechatUnavailable],
      ["garbage", "garbage", 502, failures.wechatUnavailable],
      ["a reset connection", "reset", 502, failures.wechatUnavailable],
      ["no answer before the timeout", "hang", 504, failures.wechatTimeout],
    ])("%s", async (_, scenario, status, body) => {
      const { token, user } = await client.signIn(uniqueName());
      await expectNoWriteNorPhoneCall(
        user.pb_id,
        async () => {
          const response = await client.profile(token, validProfile({ users_phone_code: codes.scenario(scenario) }));
          expect(response.status).toBe(status);
          expect(response.body).toEqual(body);
        },
        { reachesWechat: true },
      );
    });

    it("a reused phone code", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const phoneCode = codes.phone("13800138000");
      expect((await client.profile(token, validProfile({ users_phone_code: phoneCode }))).status).toBe(200);
      await expectNoWriteNorPhoneCall(
        user.pb_id,
        async () => {
          const response = await client.profile(token, validProfile({ users_name: "改名", users_phone_code: phoneCode }));
          expect(response.status).toBe(400);
        },
        { reachesWechat: true },
      );
    });
  });

  describe("the access token", () => {
    it.each([
      ["expired (42001)", () => wechat.expireAccessTokens()],
      ["revoked (40001)", () => wechat.revokeAccessTokens()],
    ])("is refreshed and the call retried once when WeChat says it is %s", async (_, invalidate) => {
      const { token } = await client.signIn(uniqueName());
      expect((await client.profile(token, validProfile())).status).toBe(200);
      await invalidate();
      const phoneCallsBefore = (await wechat.stats()).getuserphonenumber;
      const response = await client.profile(token, validProfile({ users_phone_code: codes.phone("13700137000") }));
      expect(response.status).toBe(200);
      expect(response.body.data.user.users_phone).toBe("13700137000");
      expect((await wechat.stats()).getuserphonenumber - phoneCallsBefore).toBe(2);
    });

    it("is shared: many profile updates cost one stable_token call", async () => {
      const { token } = await client.signIn(uniqueName());
      await client.profile(token, validProfile());
      const before = (await wechat.stats()).stable_token;
      await Promise.all(Array.from({ length: 5 }, () => client.profile(token, validProfile())));
      expect((await wechat.stats()).stable_token).toBe(before);
    });

    it.each(["busy", "http500", "garbage", "reset"])("failing with %s answers 502, is not cached, and recovers with WeChat", async (mode) => {
      const { token, user } = await client.signIn(uniqueName());
      await wechat.revokeAccessTokens();
      await wechat.setStableTokenMode(mode);
      try {
        await expectNoWriteNorPhoneCall(
          user.pb_id,
          async () => {
            const response = await client.profile(token, validProfile());
            expect(response.status).toBe(502);
          },
          { reachesWechat: true },
        );
      } finally {
        await wechat.setStableTokenMode("ok");
      }
      const recovered = await client.profile(token, validProfile());
      expect(recovered.status).toBe(200);
    });
  });
});

// The hooks run in goja, not Node: these prove the name rule works there (goja has no \p{…}).
describe("names", () => {
  it.each([
    ["U+2028", "张\u2028三"],
    ["U+2029", "张\u2029三"],
    ["a tag character", "张\u{E0041}三"],
    ["U+034F", "张\u034F三"],
    ["U+1D173", "张\u{1D173}三"],
    ["U+E0100", "葛\u{E0100}"],
    ["a lone U+FE0F", "\uFE0F"],
    ["60 combining marks", "Z" + "\u0301".repeat(60)],
    ["only braille blanks", "\u2800\u2800\u2800"],
  ])("refuses a name with %s before calling WeChat, writing nothing", async (_, users_name) => {
    const { token, user } = await client.signIn(uniqueName());
    await expectNoWriteNorPhoneCall(user.pb_id, async () => {
      const response = await client.profile(token, validProfile({ users_name }));
      expect(response.body).toEqual(fieldProblem("users_name", "validation_invalid_characters"));
    });
  });

  it.each([
    ["combining marks", "Nguye\u0302\u0303n Zoe\u0308"],
    ["an emoji ZWJ sequence", "👨‍👩‍👧 一家"],
    ["a keycap", "1️⃣号"],
    ["Tibetan", "བསྒྲུབས"],
  ])("saves a name with %s", async (_, users_name) => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.profile(token, validProfile({ users_name }));
    expect(response.body.data.user.users_name).toBe(users_name);
  });
});

describe("picture URLs", () => {
  // Whatever our check lets through must also pass PocketBase's own url field,
  // or the user would be refused only after the billed phone-number call.
  it.each([
    "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTL/132",
    "https://EXAMPLE.com/A.PNG",
    "http://127.0.0.1:8080/a.png",
    "http://localhost/a.png",
    "https://example.com/a%20b?q=[1]&r=2#frag",
    "https://example.com/~u/a+b=c;d,e!f*g(h)i$j@k:l",
    "https://xn--fiqs8s.example/a.png",
    "https://ab.y.com/x.png",
    "https://a.bc.de/x.png",
    "http://a---b.com/x.png",
    "http://239.255.255.255/a.png",
    "http://240.0.0.1/a.png",
  ])("saves %s", async (users_picture) => {
    const { token } = await client.signIn(uniqueName());
    const response = await client.profile(token, validProfile({ users_picture }));
    expect(response.status).toBe(200);
    expect(response.body.data.user.users_picture).toBe(users_picture);
  });

  // PocketBase's url field refuses these; our check used to pass them, and the save failed
  // with a 500 after the billed phone-number call.
  it.each(["https://x.y.com/x.png", "http://a.bc.d/avatar.png", "http://0.0.0.0/a.png", "http://224.0.0.1/a.png"])(
    "refuses %s before calling WeChat, writing nothing",
    async (users_picture) => {
      const { token, user } = await client.signIn(uniqueName());
      await expectNoWriteNorPhoneCall(user.pb_id, async () => {
        const response = await client.profile(token, validProfile({ users_picture }));
        expect(response.body).toEqual(fieldProblem("users_picture", "validation_invalid_url"));
      });
    },
  );
});
