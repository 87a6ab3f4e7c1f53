// POST /api/wechat/profile/fields: /api/wechat/profile's checks for any subset of its fields,
// the billed phone call only when a phone code is sent, and only the fields sent written.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { filePart, images, uploadAvatar } from "../support/avatars";
import { failures, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName } from "../support/wechat";

const PATH = "/api/wechat/profile/fields";
const PHONE_API = "/wxa/business/getuserphonenumber";
const PICTURE = "https://example.com/fields.png";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;
let originalAppUrl: string;

beforeAll(async () => {
  admin = await adminClient();
  originalAppUrl = (await admin.pb.settings.getAll()).meta.appURL;
  // Our files are under the Application URL: here the instance itself.
  await admin.pb.settings.update({ meta: { appURL: client.baseUrl } });
});

afterAll(async () => {
  await admin.pb.settings.update({ meta: { appURL: originalAppUrl } });
});

const profileFields = (token: string, body: unknown) => client.post(PATH, body, { token });
const phoneCalls = async () => (await wechat.calls(PHONE_API)).length;

// What the request wrote, and how many billed phone calls it made.
async function sendCounting(userId: string, send: () => Promise<unknown>) {
  const callsBefore = await phoneCalls();
  const before = await admin.users.getOne(userId);
  await send();
  return { before, after: await admin.users.getOne(userId), phoneCalls: (await phoneCalls()) - callsBefore };
}

describe(`POST ${PATH}`, () => {
  describe("changes exactly the fields sent, calling WeChat's billed phone API only for a phone code", () => {
    it.each([
      ["the name", { users_name: " 李四 " }, { users_name: "李四" }],
      ["the picture", { users_picture: PICTURE }, { users_picture: PICTURE }],
      ["the phone", { users_phone_code: "13900139000" }, { users_phone: "13900139000" }],
      ["name and picture", { users_name: "李四", users_picture: PICTURE }, { users_name: "李四", users_picture: PICTURE }],
      ["name and phone", { users_name: "李四", users_phone_code: "13900139000" }, { users_name: "李四", users_phone: "13900139000" }],
      ["picture and phone", { users_picture: PICTURE, users_phone_code: "13900139000" }, { users_picture: PICTURE, users_phone: "13900139000" }],
      ["all three", { users_name: "李四", users_picture: PICTURE, users_phone_code: "13900139000" }, { users_name: "李四", users_picture: PICTURE, users_phone: "13900139000" }],
    ])("%s", async (_, fields: Record<string, string>, expected) => {
      const { token, user } = await client.signIn(uniqueName());
      const body = { ...fields, ...(fields.users_phone_code ? { users_phone_code: codes.phone(fields.users_phone_code) } : {}) };
      let response: any;
      const { before, after, phoneCalls } = await sendCounting(user.pb_id, async () => (response = await profileFields(token, body)));

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ code: 200, msg: "资料更新成功", data: { status: "update_success", user: expect.any(Object) } });
      expect(phoneCalls).toBe(fields.users_phone_code ? 1 : 0);
      const untouched = ["users_name", "users_phone", "users_picture"].filter((name) => !(name in expected));
      expect(after).toMatchObject({ ...expected, ...Object.fromEntries(untouched.map((name) => [name, before[name]])) });
      expect(response.body.data.user).toMatchObject({ pb_id: user.pb_id, users_name: after.users_name, users_phone: after.users_phone, users_picture: after.users_picture });
    });

    it("ignores keys it does not know, as /api/wechat/profile does", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const response = await profileFields(token, { users_name: "李四", users_type: "注册用户", users_phone: "13800138000", users_status: "禁用" });
      expect(response.status).toBe(200);
      expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_name: "李四", users_type: "游客", users_phone: "", users_status: "正常" });
    });

    it("makes one content check of the name, and none without a name", async () => {
      const { token } = await client.signIn(uniqueName());
      const before = (await wechat.stats()).msg_sec_check;
      expect((await profileFields(token, { users_picture: PICTURE })).status).toBe(200);
      expect((await wechat.stats()).msg_sec_check).toBe(before);
      expect((await profileFields(token, { users_name: "李四" })).status).toBe(200);
      expect((await wechat.stats()).msg_sec_check).toBe(before + 1);
    });

    it("refuses a risky name with content_risky, writing nothing", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const { before, after } = await sendCounting(user.pb_id, async () => {
        expect((await profileFields(token, { users_name: "违规昵称" })).body).toEqual(fieldProblem("users_name", "content_risky"));
      });
      expect(after).toEqual(before);
    });
  });

  describe("the users_type rule", () => {
    it("makes a guest a 注册用户 with the edit that first completes name, phone and picture", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const steps = [{ users_picture: PICTURE }, { users_name: "李四" }, { users_phone_code: codes.phone("13800138000") }, { users_name: "王五" }];
      const types = [];
      for (const step of steps) types.push((await profileFields(token, step)).body.data.user.users_type);
      expect(types).toEqual(["游客", "游客", "注册用户", "注册用户"]);
      expect((await admin.users.getOne(user.pb_id)).users_type).toBe("注册用户");
    });

    it("keeps a guest whose profile staff had completed a guest", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await admin.users.update(user.pb_id, { users_name: "staff", users_phone: "13800138000", users_picture: PICTURE });
      expect((await profileFields(token, { users_name: "李四" })).body.data.user.users_type).toBe("游客");
    });

    it("keeps a registered user registered when staff emptied a field", async () => {
      const { token, user } = await client.signIn(uniqueName());
      await profileFields(token, { users_name: "李四", users_picture: PICTURE, users_phone_code: codes.phone("13800138000") });
      await admin.users.update(user.pb_id, { users_picture: "" });
      expect((await profileFields(token, { users_name: "王五" })).body.data.user.users_type).toBe("注册用户");
    });
  });

  it("makes an uploaded avatar the picture, and deletes the one it replaces", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const first = (await uploadAvatar(token, [filePart(images.jpeg)])).body.data.url;
    const second = (await uploadAvatar(token, [filePart(images.jpeg)])).body.data.url;
    expect((await profileFields(token, { users_picture: first })).status).toBe(200);
    const firstAvatar = (await admin.users.getOne(user.pb_id)).users_avatar;
    expect(firstAvatar).not.toBe("");
    expect((await profileFields(token, { users_name: "李四" })).status).toBe(200);
    expect((await admin.users.getOne(user.pb_id)).users_avatar).toBe(firstAvatar);
    expect((await profileFields(token, { users_picture: second })).status).toBe(200);
    expect((await admin.users.getOne(user.pb_id)).users_avatar).not.toBe(firstAvatar);
    await expect(admin.pb.collection("tbl_user_avatars").getOne(firstAvatar)).rejects.toMatchObject({ status: 404 });
  });

  describe("refuses bad input before calling WeChat, writing nothing", () => {
    const allThree = ["users_name", "users_phone_code", "users_picture"];
    it.each([
      ["an empty body", {}, allThree],
      ["only unknown keys", { users_phone: "13800138000", nickname: "x" }, allThree],
      ["a blank name", { users_name: "   " }, ["users_name"]],
      ["a null name", { users_name: null }, ["users_name"]],
      ["a numeric name", { users_name: 1 }, ["users_name"]],
      ["a name with a zero-width space", { users_name: "张\u200b三" }, ["users_name"]],
      ["an overlong name", { users_name: "名".repeat(65) }, ["users_name"]],
      ["an empty phone code", { users_phone_code: "" }, ["users_phone_code"]],
      ["a phone code of odd characters", { users_phone_code: "13800138000!" }, ["users_phone_code"]],
      ["an array phone code", { users_phone_code: ["p"] }, ["users_phone_code"]],
      ["a javascript: picture", { users_picture: "javascript:alert(1)" }, ["users_picture"]],
      ["a null picture", { users_picture: null }, ["users_picture"]],
      ["a picture of our files that is no avatar of this user", { users_picture: `${client.baseUrl}/api/files/tbl_company/x/y.png` }, ["users_picture"]],
      ["a good phone code beside a bad name", { users_name: "", users_phone_code: "p-13800138000-x" }, ["users_name"]],
      ["a good name beside a bad picture", { users_name: "李四", users_picture: "ftp://example.com/a.png" }, ["users_picture"]],
    ])("%s", async (_, body, fields) => {
      const { token, user } = await client.signIn(uniqueName());
      const { before, after, phoneCalls } = await sendCounting(user.pb_id, async () => {
        const response = await profileFields(token, body);
        expect(response.status).toBe(400);
        expect(Object.keys(response.body.data).sort()).toEqual([...fields].sort());
      });
      expect(after).toEqual(before);
      expect(phoneCalls).toBe(0);
    });

    it.each([
      ["no token", undefined, 401],
      ["a forged token", "a.b.c", 401],
    ])("answers %s with %s", async (_, token, status) => {
      expect((await client.post(PATH, { users_name: "李四" }, { token })).status).toBe(status);
    });

    it("a body that is not JSON answers 415", async () => {
      const { token } = await client.signIn(uniqueName());
      const response = await client.post(PATH, undefined, { token, rawBody: "users_name=a", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(response.body).toEqual(failures.unsupportedMediaType);
    });

    it("an invalid phone code is WeChat's 400, after one billed call", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const { before, after, phoneCalls } = await sendCounting(user.pb_id, async () => {
        expect((await profileFields(token, { users_phone_code: codes.scenario("invalid") })).body).toEqual(fieldProblem("users_phone_code", "wechat_code_invalid"));
      });
      expect([after, phoneCalls]).toEqual([before, 1]);
    });
  });

  describe("while WeChat looks the phone number up", () => {
    it("keeps what staff changed in another field meanwhile", async () => {
      const { token, user } = await client.signIn(uniqueName());
      const update = profileFields(token, { users_phone_code: codes.slow(1500, "13800138000") });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.users.update(user.pb_id, { users_name: "staff wrote this", company_id: "C42" });
      expect((await update).status).toBe(200);
      expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_name: "staff wrote this", company_id: "C42", users_phone: "13800138000" });
    });

    it.each([
      ["禁用", failures.accountDisabled],
      ["注销中", { code: 403, msg: "账号注销中,重新登录即可撤销注销", data: {} }],
    ])("answers a user staff set %s meanwhile as /profile would, writing nothing", async (status, refusal) => {
      const { token, user } = await client.signIn(uniqueName());
      const update = profileFields(token, { users_name: "李四", users_phone_code: codes.slow(1500, "13800138000") });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.users.update(user.pb_id, { users_status: status });
      const response = await update;
      expect(response.body).toEqual(refusal);
      expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_name: "", users_phone: "", users_status: status });
    });
  });
});
