import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { adminClient } from "../support/admin";
import { startWithSimulator } from "../support/pocketbase";
import { api } from "../support/api";
import { failures, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

// "U" + today's date in Asia/Shanghai, computed by ICU rather than by the hooks' own formula.
function todaysPrefix(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `U${part("year")}${part("month")}${part("day")}`;
}

// A user staff create by hand in the admin UI, with the users_id they typed.
function createdByStaff(usersId: string, fields: Record<string, string> = {}) {
  const password = "staff-typed-password-1";
  return admin.users.create({
    users_id: usersId,
    openid: `staff_${uniqueName()}`,
    ...fields,
    users_type: "游客",
    users_status: "正常",
    password,
    passwordConfirm: password,
  });
}

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
      data: { status: "register_success", is_info_complete: false, deletion_cancelled: false, consents_required: [], user: expect.any(Object) },
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
    expect(user.users_id).toMatch(new RegExp(`^${todaysPrefix()}\\d{4}$`));
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

  // WeChat returns a unionid only once the app is bound to an open-platform account.
  describe("a user from before the open-platform binding", () => {
    it("gains the unionid on a later login, and nothing else changes", async () => {
      const name = uniqueName("union");
      const staffUser = await createdByStaff(`${todaysPrefix()}9${Date.now() % 100_000}`, { openid: `osim_${name}`, users_name: "老用户" });
      const response = await client.login(codes.loginAs(name));
      expect(response.body.meta.data.status).toBe("login_success");
      expect(response.body.meta.data.user).toMatchObject({ pb_id: staffUser.id, users_id: staffUser.users_id, users_name: "老用户" });
      const stored = await admin.users.getOne(staffUser.id);
      expect(stored).toEqual({ ...staffUser, unionid: `usim_${name}`, updated: expect.any(String) });
    });

    it("keeps a unionid it already has", async () => {
      const name = uniqueName("union");
      const staffUser = await createdByStaff(`${todaysPrefix()}8${Date.now() % 100_000}`, { openid: `osim_${name}`, unionid: "set_by_staff" });
      expect((await client.login(codes.loginAs(name))).status).toBe(200);
      expect((await admin.users.getOne(staffUser.id)).unionid).toBe("set_by_staff");
    });
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
      // PocketBase's decoder refuses what JSON.parse lets through; the route checks most of it itself.
      ["a key repeated in another spelling", '{"users_wx_code":"u-a-1","users_wx_\\u0063ode":"u-b-1"}', failures.malformedJson],
      ["duplicate keys in a nested object", '{"users_wx_code":"u-a-1","x":[{"k":1,"k":2}]}', failures.malformedJson],
      ["a number beyond a float64", '{"users_wx_code":"u-a-1","x":1e999}', failures.malformedJson],
      ["an escaped lone surrogate", '{"users_wx_code":"u-a-1","x":"\\ud800"}', failures.malformedJson],
      ["an array", "[]", failures.notAnObject],
      ["an array of an object", '[{"users_wx_code":"u-x-1"}]', failures.notAnObject],
      ["a string", '"s"', failures.notAnObject],
      ["a number", "42", failures.notAnObject],
      ["null", "null", failures.notAnObject],
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

  it.each([
    ["an escaped surrogate pair", '"x":"\\ud83d\\ude00"'],
    ["a replacement character", '"x":"\uFFFD"'],
    ["a key named __proto__", '"__proto__":{"a":1}'],
  ])("lets through a body with %s, as PocketBase does", async (_, member) => {
    const response = await client.post("/api/wechat/login", undefined, { rawBody: `{"users_wx_code":${JSON.stringify(codes.loginAs(uniqueName()))},${member}}` });
    expect(response.status).toBe(200);
  });

  // Media types are case-insensitive (RFC 9110 §8.3.1).
  it.each(["APPLICATION/JSON", "Application/Json; Charset=UTF-8"])("accepts the content type %s", async (contentType) => {
    const response = await client.post("/api/wechat/login", undefined, {
      rawBody: JSON.stringify({ users_wx_code: codes.loginAs(uniqueName()) }),
      headers: { "content-type": contentType },
    });
    expect(response.status).toBe(200);
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

    // Those failures happened before WeChat used the code (see the simulator), so the
    // same code may be tried again at once: it reaches WeChat a second time.
    it.each([
      ["a reset connection", "reset", failures.wechatUnavailable],
      ["an HTTP 500", "http500", failures.wechatUnavailable],
      ["garbage", "garbage", failures.wechatUnavailable],
      ["a truncated answer", "truncated", failures.wechatUnavailable],
      ["no answer before the timeout", "hang", failures.wechatTimeout],
    ])("is retried, not refused, after %s", async (_, scenario, expected) => {
      const code = codes.scenario(scenario);
      const callsOf = async () => (await wechat.calls("/sns/jscode2session")).filter((call) => call.query.js_code === code).length;
      const first = await client.login(code);
      const callsAfterFirst = await callsOf();
      const retry = await client.login(code);
      expect([first.body, retry.body]).toEqual([expected, expected]);
      expect(await callsOf()).toBeGreaterThan(callsAfterFirst);
    });

    // More of WeChat's verdicts in wechat-codes.test.ts.
    it("answers WeChat's refusal of the code again, without calling WeChat again", async () => {
      const code = codes.scenario("invalid");
      const first = await client.login(code);
      expect(first.status).toBe(400);
      expect((await client.login(code)).body).toEqual(first.body);
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

  describe("users_id, whatever staff typed or removed", () => {
    it("skips the ids staff already gave out today", async () => {
      const { user } = await client.signIn(uniqueName());
      const sequence = Number(user.users_id.slice(9));
      const usedByStaff = [1, 2].map((step) => `${todaysPrefix()}${String(sequence + step).padStart(4, "0")}`);
      for (const usersId of usedByStaff) await createdByStaff(usersId);
      const next = await client.signIn(uniqueName());
      expect(next.user.users_id).toBe(`${todaysPrefix()}${String(sequence + 3).padStart(4, "0")}`);
    });

    // The pattern allows it, and it once read as the day's last id and made every later
    // registration collide with it.
    it("keeps registering after staff typed today's prefix plus five digits", async () => {
      await createdByStaff(`${todaysPrefix()}00001`);
      const responses = await Promise.all(Array.from({ length: 5 }, () => client.login(codes.loginAs(uniqueName()))));
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const ids = responses.map((response) => response.body.meta.data.user.users_id);
      expect(new Set(ids).size).toBe(5);
      for (const id of ids) expect(id).toMatch(new RegExp(`^${todaysPrefix()}\\d{4}$`));
    });

    it("keeps registering, uniquely, after staff dropped every users_id index", async () => {
      const collection = await admin.pb.collections.getOne("tbl_auth_users");
      await admin.pb.collections.update("tbl_auth_users", { indexes: collection.indexes.filter((sql: string) => !sql.includes("users_id")) });
      try {
        const responses = await Promise.all(Array.from({ length: 20 }, () => client.login(codes.loginAs(uniqueName()))));
        expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
        expect(new Set(responses.map((response) => response.body.meta.data.user.users_id)).size).toBe(20);
      } finally {
        await admin.pb.collections.update("tbl_auth_users", { indexes: collection.indexes });
      }
      const all = await admin.users.getFullList({ fields: "users_id" });
      expect(new Set(all.map((user) => user.users_id)).size).toBe(all.length);
    });
  });

  it("ignores fields it does not know", async () => {
    const response = await client.post("/api/wechat/login", { users_wx_code: codes.loginAs(uniqueName()), extra: { nested: true } });
    expect(response.status).toBe(200);
  });
});

// An existing user's login reads them with a statement each VM prepares once (database/prepared-query.ts).
// The collection staff change must show at the next login: a field they add, and the token secret they
// renew (which voids every token, so this runs on an instance of its own).
describe("an existing user's login after staff change tbl_auth_users", () => {
  it("answers with the field staff added, and a token of the renewed secret", async () => {
    const own = await startWithSimulator();
    try {
      const ownClient = api(own.instance.url);
      const ownAdmin = await adminClient(own.instance.url);
      const name = uniqueName();
      for (let i = 0; i < 3; i++) expect((await ownClient.login(codes.loginAs(name))).status).toBe(200);
      const collection = await ownAdmin.pb.collections.getOne("tbl_auth_users");
      await ownAdmin.pb.collections.update("tbl_auth_users", {
        fields: [...collection.fields, { name: "staff_note", type: "text" }],
        authToken: { ...collection.authToken, secret: "a-renewed-secret-".padEnd(50, "x") },
      });
      const user = (await ownAdmin.users.getFirstListItem(`openid = "osim_${name}"`)) as { id: string };
      await ownAdmin.users.update(user.id, { staff_note: "VIP" });

      const again = await ownClient.login(codes.loginAs(name));
      expect(again.status).toBe(200);
      expect(again.body.record.staff_note).toBe("VIP");
      const refreshed = await fetch(`${own.instance.url}/api/collections/tbl_auth_users/auth-refresh`, { method: "POST", headers: { authorization: again.body.token } });
      expect(refreshed.status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe("the record of a login or refresh answer", () => {
  it("is enriched as PocketBase's own auth response is: an onRecordEnrich hook staff add shapes it", async () => {
    const hook = `onRecordEnrich((e) => { e.record.withCustomData(true); e.record.set("enriched_by_staff", true); e.next(); }, "tbl_auth_users");`;
    const own = await startWithSimulator({ extraHooks: { "zz_test_enrich.pb.js": hook } });
    try {
      const client = api(own.instance.url);
      const { token, response } = await client.signIn(uniqueName());
      expect(response.body.record.enriched_by_staff).toBe(true);
      const refreshed = await client.refreshToken(token);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.record.enriched_by_staff).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("shows the user's email to the user, and no hidden field", async () => {
    const client = api();
    const { token, response } = await client.signIn(uniqueName());
    expect(response.body.record).toHaveProperty("email");
    expect(response.body.record).not.toHaveProperty("tokenKey");
    expect(response.body.record).not.toHaveProperty("password");
    const refreshed = await client.refreshToken(token);
    expect(Object.keys(refreshed.body.record).sort()).toEqual(Object.keys(response.body.record).sort());
  });
});
