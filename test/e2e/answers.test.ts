// What every answer of ours has in common: each failure names itself by a stable identifier; its
// messages are in the language the request asks for (Accept-Language: zh-CN, the default, or en);
// its keys come in one order. test/support/contract.ts checks the same of every answer of the suite.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { failureBody, failures } from "../support/responses";
import { codes, uniqueName } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

const inLanguage = (language: string | undefined) => (language === undefined ? {} : { headers: { "accept-language": language } });

async function userWithStatus(status: "禁用" | "注销中") {
  const name = uniqueName(status === "禁用" ? "disabled" : "leaving");
  const { user } = await client.signIn(name);
  await admin.users.update(user.pb_id, { users_status: status });
  return name;
}

// An automatic login (cancel_deletion false) of a user whose deletion is pending is refused.
const loginOf = (name: string, language?: string, body: Record<string, unknown> = {}) =>
  client.post("/api/wechat/login", { users_wx_code: codes.loginAs(name), ...body }, inLanguage(language));

const disabledInEnglish = failureBody(403, "account_disabled", "This account has been disabled; please contact an administrator");

describe("a failure's identifier", () => {
  it("tells a disabled account from one being deleted, though both are 403 with data {}", async () => {
    const disabled = await loginOf(await userWithStatus("禁用"));
    const leaving = await loginOf(await userWithStatus("注销中"), undefined, { cancel_deletion: false });
    expect([disabled.status, leaving.status]).toEqual([403, 403]);
    expect(disabled.body).toEqual(failures.accountDisabled);
    expect(leaving.body).toEqual(failures.accountDeletionPending);
  });

  it("is answered beside PocketBase's message field, for PocketBase's own clients", async () => {
    const response = await client.post("/api/wechat/refresh-token", undefined, { token: "not-a-token" });
    expect(response.body).toEqual(failures.invalidToken);
    expect(response.body.message).toBe(response.body.msg);
  });
});

describe("Accept-Language", () => {
  let disabled: string;

  beforeAll(async () => {
    disabled = await userWithStatus("禁用");
  });

  it.each([
    ["en", "en"],
    ["en-US,en;q=0.9", "en"],
    ["en;q=0.9,zh-CN;q=0.8", "en"],
    ["fr-FR, en;q=0.5", "en"],
    ["zh-CN;q=0.9,en;q=0.8", "zh-CN"],
    ["zh-TW", "zh-CN"],
    [undefined, "zh-CN"],
    ["fr", "zh-CN"],
    ["*", "zh-CN"],
    ["en;q=2", "zh-CN"],
    ["en_US", "zh-CN"],
    [`en,${"fr;q=0.5,".repeat(30)}`, "zh-CN"],
  ])("%j answers a disabled account's login in %s", async (header, language) => {
    const response = await loginOf(disabled, header);
    expect(response.status).toBe(403);
    expect(response.body).toEqual(language === "en" ? disabledInEnglish : failures.accountDisabled);
    expect(response.headers.get("content-language")).toBe(language);
    expect(response.headers.get("vary")).toMatch(/\bAccept-Language\b/);
  });

  it("reads several Accept-Language headers as one list", async () => {
    const response = await fetch(`${client.baseUrl}/api/wechat/login`, {
      method: "POST",
      headers: [
        ["content-type", "application/json"],
        ["accept-language", "fr;q=0.9"],
        ["accept-language", "en;q=0.8"],
      ],
      body: JSON.stringify({ users_wx_code: codes.loginAs(disabled) }),
    });
    expect(await response.json()).toEqual(disabledInEnglish);
  });

  it("leaves the Chinese answer byte for byte as it was, its keys in the contract's order", async () => {
    const response = await loginOf(disabled);
    expect(response.text).toBe(
      '{"code":403,"error":"account_disabled","msg":"账号已被禁用,请联系管理员","message":"账号已被禁用,请联系管理员","data":{}}',
    );
  });

  it("translates field problems by their code, keeping the code", async () => {
    const response = await client.post("/api/wechat/login", { users_wx_code: 123, cancel_deletion: "no", appid: "x".repeat(65) }, inLanguage("en"));
    expect(response.body).toEqual(
      failureBody(400, "invalid_fields", "Invalid parameters", {
        cancel_deletion: { code: "validation_invalid_type", message: "must be true or false" },
        appid: { code: "validation_too_long", message: "must be at most 64 characters long" },
        users_wx_code: { code: "validation_invalid_type", message: "must be a string" },
      }),
    );
  });

  it("translates the failures PocketBase's checks make, and those of a method not allowed", async () => {
    const tooLarge = await client.post("/api/wechat/login", undefined, { rawBody: "x".repeat(17 * 1024), ...inLanguage("en") });
    expect(tooLarge.body).toEqual(failureBody(413, "payload_too_large", "The request body is too large; the limit is 16 KB"));
    const wrongMethod = await fetch(`${client.baseUrl}/api/wechat/login`, { method: "PUT", headers: { "accept-language": "en" } });
    expect(await wrongMethod.json()).toEqual(failureBody(405, "method_not_allowed", "Method not allowed; use POST"));
    expect(wrongMethod.headers.get("content-language")).toBe("en");
  });

  it("translates success messages, a login's and a refresh's meta included", async () => {
    const name = uniqueName();
    const registered = await loginOf(name, "en");
    expect(registered.body.meta).toMatchObject({ code: 200, msg: "Registered", data: { status: "register_success" } });
    expect(registered.headers.get("content-language")).toBe("en");
    const token = registered.body.token as string;
    const refreshed = await client.post("/api/wechat/refresh-token", undefined, { token, ...inLanguage("en") });
    expect(refreshed.body.meta.msg).toBe("Token refreshed");
    const profile = await client.post("/api/wechat/profile", validProfile(), { token: refreshed.body.token, ...inLanguage("en") });
    expect(profile.body).toMatchObject({ code: 200, msg: "Profile updated", data: { status: "update_success" } });
    const again = await loginOf(name, "zh-CN");
    expect(again.body.meta.msg).toBe("登录成功");
    expect(again.headers.get("content-language")).toBe("zh-CN");
  });
});

// Every key of a JSON text, in the order written, with where it is: the shape without the values.
function keysInOrder(text: string): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, `${path}[]`));
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        keys.push(`${path}.${key}`);
        walk(item, `${path}.${key}`);
      }
    }
  };
  walk(JSON.parse(text), "");
  return keys;
}

describe("the order of an answer's keys", () => {
  const REPEATS = 12;

  it("is the same every time: a failure, a login, a refresh, a profile update", async () => {
    const disabled = await userWithStatus("禁用");
    const name = uniqueName();
    const { token } = await client.signIn(name);
    const answers: Record<string, string[]> = { failure: [], login: [], refresh: [], profile: [] };
    for (let round = 0; round < REPEATS; round++) {
      answers.failure.push((await loginOf(disabled)).text);
      answers.login.push((await loginOf(name)).text);
      answers.refresh.push((await client.refreshToken(token)).text);
      answers.profile.push((await client.profile(token, validProfile())).text);
    }
    for (const [kind, texts] of Object.entries(answers)) {
      const orders = new Set(texts.map((text) => keysInOrder(text).join(" ")));
      expect(orders.size, `${kind}: ${[...orders].join("\n")}`).toBe(1);
    }
    expect(keysInOrder(answers.login[0]).filter((key) => /^\.\w+$|^\.meta\.\w+$/.test(key))).toEqual([
      ".meta",
      ".meta.code",
      ".meta.msg",
      ".meta.data",
      ".record",
      ".token",
    ]);
    expect(keysInOrder(answers.login[0]).filter((key) => key.startsWith(".meta.data.") && key.split(".").length === 4)).toEqual([
      ".meta.data.status",
      ".meta.data.is_info_complete",
      ".meta.data.deletion_cancelled",
      ".meta.data.consents_required",
      ".meta.data.user",
    ]);
  });
});
