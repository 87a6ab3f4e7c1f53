import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { failures, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

// Runs a request and proves it wrote nothing and, unless said otherwise, never reached WeChat.
async function expectNoWrite(send: () => Promise<unknown>, { reachesWechat = false } = {}) {
  const usersBefore = await admin.countUsers();
  const callsBefore = (await wechat.stats()).jscode2session;
  await send();
  expect(await admin.countUsers()).toBe(usersBefore);
  if (!reachesWechat) expect((await wechat.stats()).jscode2session).toBe(callsBefore);
}

describe("POST /api/wechat/login", () => {
  it("registers a new WeChat user as a 游客 and answers with a native token", async () => {
    const name = uniqueName();
    const response = await client.login(codes.loginAs(name));

    expect(response.status).toBe(200);
    expect(response.body.meta).toEqual({
      code: 200,
      msg: "注册成功",
      data: { status: "register_success", is_info_complete: false, user: expect.any(Object) },
    });
    const user = response.body.meta.data.user;
    expect(user).toMatchObject({
      openid: `osim_${name}`,
      users_type: "游客",
      users_name: "",
      users_phone: "",
      users_phone_masked: "",
      users_picture: "",
      company_id: "",
      company: null,
      pb_id: response.body.record.id,
    });
    expect(user.users_id).toMatch(/^U\d{8}\d{4,}$/);
    expect(response.body.record).toMatchObject({ collectionName: "tbl_auth_users", openid: `osim_${name}` });
    expect(response.body.record).not.toHaveProperty("password");
    expect(response.body.record).not.toHaveProperty("tokenKey");

    // The token is PocketBase's own: the native auth-refresh accepts it.
    const native = await fetch(`${client.baseUrl}/api/collections/tbl_auth_users/auth-refresh`, {
      method: "POST",
      headers: { authorization: response.body.token },
    });
    expect(native.status).toBe(200);
  });

  it("logs an existing user in with a fresh code", async () => {
    const name = uniqueName();
    const first = await client.login(codes.loginAs(name));
    const second = await client.login(codes.loginAs(name));
    expect(second.status).toBe(200);
    expect(second.body.meta.msg).toBe("登录成功");
    expect(second.body.meta.data.status).toBe("login_success");
    expect(second.body.meta.data.user.pb_id).toBe(first.body.meta.data.user.pb_id);
    expect(second.body.meta.data.user.users_id).toBe(first.body.meta.data.user.users_id);
    expect(await admin.usersByOpenid(`osim_${name}`)).toHaveLength(1);
  });

  it("uses the Asia/Shanghai date and a 4-digit daily sequence for users_id", async () => {
    const { user } = await client.signIn(uniqueName());
    const shanghaiDate = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, "");
    expect(user.users_id).toMatch(new RegExp(`^U${shanghaiDate}\\d{4}$`));
    const next = await client.signIn(uniqueName());
    expect(Number(next.user.users_id.slice(9))).toBe(Number(user.users_id.slice(9)) + 1);
  });

  it("stores the unionid when WeChat returns one, and never the session_key", async () => {
    const name = uniqueName("union");
    const response = await client.login(codes.loginAs(name));
    expect(response.status).toBe(200);
    const stored = await admin.userByOpenid(`osim_${name}`);
    expect(stored.unionid).toBe(`usim_${name}`);
    expect(response.text).not.toMatch(/session_key/i);
    expect(JSON.stringify(stored)).not.toMatch(/session_key/i);
  });

  describe("refuses bad input before calling WeChat, writing nothing", () => {
    it.each([
      ["no field", {}, "validation_required"],
      ["an empty code", { users_wx_code: "" }, "validation_required"],
      ["a null code", { users_wx_code: null }, "validation_required"],
      ["a numeric code", { users_wx_code: 12345 }, "validation_invalid_type"],
      ["an array code", { users_wx_code: ["a"] }, "validation_invalid_type"],
      ["an object code", { users_wx_code: { a: 1 } }, "validation_invalid_type"],
      ["a boolean code", { users_wx_code: false }, "validation_invalid_type"],
      ["a whitespace code", { users_wx_code: "   " }, "validation_invalid_format"],
      ["a code with odd characters", { users_wx_code: "<script>" }, "validation_invalid_format"],
      ["an absurdly long code", { users_wx_code: "a".repeat(5000) }, "validation_too_long"],
    ])("%s", async (_, body, problem) => {
      await expectNoWrite(async () => {
        const response = await client.post("/api/wechat/login", body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual(fieldProblem("users_wx_code", problem));
      });
    });

    it.each([
      ["malformed JSON", '{"users_wx_code":', failures.malformedJson],
      ["trailing garbage", '{"users_wx_code":"u-x-1"} trailing', failures.malformedJson],
      ["duplicate keys", '{"users_wx_code":"u-a-1","users_wx_code":"u-b-1"}', failures.malformedJson],
      ["an array", "[]", failures.malformedJson],
      ["a string", '"u-x-1"', failures.malformedJson],
      ["a number", "42", failures.malformedJson],
    ])("a body with %s", async (_, rawBody, expected) => {
      await expectNoWrite(async () => {
        const response = await client.post("/api/wechat/login", undefined, { rawBody });
        expect(response.status).toBe(400);
        expect(response.body).toEqual(expected);
      });
    });

    // Chunked and declared bodies over the limit: test/e2e/registration.test.ts, for every route.
    it("a body over 16 KB answers 413", async () => {
      await expectNoWrite(async () => {
        const response = await client.post("/api/wechat/login", undefined, { rawBody: JSON.stringify({ users_wx_code: "u-x-1", padding: "x".repeat(16 * 1024) }) });
        expect(response.status).toBe(413);
        expect(response.body).toEqual(failures.payloadTooLarge);
      });
    });

    it("a body of invalid UTF-8", async () => {
      const rawBody = new Uint8Array([...new TextEncoder().encode('{"users_wx_code":"u-x-1","n":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}')]);
      const response = await client.post("/api/wechat/login", undefined, { rawBody });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(failures.malformedJson);
    });

    it("a null body", async () => {
      const response = await client.post("/api/wechat/login", undefined, { rawBody: "null" });
      expect(response.status).toBe(400);
    });

    it.each([
      ["text/plain", "text/plain"],
      ["form data", "application/x-www-form-urlencoded"],
      ["no content type", ""],
    ])("a body sent as %s answers 415", async (_, contentType) => {
      await expectNoWrite(async () => {
        const response = await client.post("/api/wechat/login", undefined, {
          rawBody: JSON.stringify({ users_wx_code: codes.loginAs("x") }),
          headers: { "content-type": contentType },
        });
        expect(response.status).toBe(415);
        expect(response.body).toEqual(failures.unsupportedMediaType);
      });
    });
  });

  describe("the same code twice within 10 s", () => {
    it("answers 429 without calling WeChat again", async () => {
      const code = codes.loginAs(uniqueName());
      expect((await client.login(code)).status).toBe(200);
      const again = await client.login(code);
      expect(again.status).toBe(429);
      expect(again.body).toEqual(failures.duplicateLoginCode);
      expect(await wechat.calls("/sns/jscode2session").then((calls) => calls.filter((call) => call.query.js_code === code))).toHaveLength(1);
    });

    it("lets exactly one of many concurrent duplicates through", async () => {
      const code = codes.loginAs(uniqueName());
      const responses = await Promise.all(Array.from({ length: 8 }, () => client.login(code)));
      expect(responses.map((response) => response.status).sort()).toEqual([200, 429, 429, 429, 429, 429, 429, 429]);
      expect(await wechat.calls("/sns/jscode2session").then((calls) => calls.filter((call) => call.query.js_code === code))).toHaveLength(1);
    });
  });

  describe("answers WeChat's refusals and failures clearly, writing nothing", () => {
    it.each([
      ["an invalid code (40029)", "invalid", 400, fieldProblem("users_wx_code", "wechat_code_invalid")],
      ["a blocked user (40226)", "blocked", 400, fieldProblem("users_wx_code", "wechat_code_blocked")],
      ["WeChat's rate limit (45011)", "ratelimit", 429, failures.wechatRateLimited],
      ["a busy WeChat (-1)", "busy", 502, failures.wechatUnavailable],
      ["an HTTP 500", "http500", 502, failures.wechatUnavailable],
      ["garbage", "garbage", 502, failures.wechatUnavailable],
      ["a truncated answer", "truncated", 502, failures.wechatUnavailable],
      ["a reset connection", "reset", 502, failures.wechatUnavailable],
      ["no answer before the timeout", "hang", 504, failures.wechatTimeout],
    ])("%s", async (_, scenario, status, body) => {
      await expectNoWrite(
        async () => {
          const response = await client.login(codes.scenario(scenario));
          expect(response.status).toBe(status);
          expect(response.body).toEqual(body);
        },
        { reachesWechat: true },
      );
    });

    it("a used code (40163)", async () => {
      const code = codes.loginAs(uniqueName());
      // Spend the code at WeChat directly, as a leaked or replayed code would be.
      await fetch(`${inject("simulatorUrl")}/sns/jscode2session?appid=wx_sim_appid&secret=sim_secret_7c1f9e4b2a&js_code=${code}&grant_type=authorization_code`);
      await expectNoWrite(
        async () => {
          const response = await client.login(code);
          expect(response.status).toBe(400);
          expect(response.body).toEqual(fieldProblem("users_wx_code", "wechat_code_used"));
        },
        { reachesWechat: true },
      );
    });

    it("a slow but timely WeChat still logs in", async () => {
      const response = await client.login(codes.slow(800, uniqueName()));
      expect(response.status).toBe(200);
    });
  });

  describe("concurrency", () => {
    it("creates exactly one user for simultaneous first logins of one openid", async () => {
      const name = uniqueName();
      const responses = await Promise.all(Array.from({ length: 12 }, () => client.login(codes.loginAs(name))));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      expect(responses.filter((response) => response.body.meta.data.status === "register_success")).toHaveLength(1);
      expect(new Set(responses.map((response) => response.body.record.id)).size).toBe(1);
      expect(await admin.usersByOpenid(`osim_${name}`)).toHaveLength(1);
    });

    it("never repeats a users_id across concurrent registrations", async () => {
      const responses = await Promise.all(Array.from({ length: 30 }, () => client.login(codes.loginAs(uniqueName()))));
      expect(responses.every((response) => response.status === 200)).toBe(true);
      const ids = responses.map((response) => response.body.meta.data.user.users_id);
      expect(new Set(ids).size).toBe(30);
    });
  });

  it("ignores fields it does not know", async () => {
    const response = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(uniqueName()), extra: { nested: true } });
    expect(response.status).toBe(200);
  });
});
