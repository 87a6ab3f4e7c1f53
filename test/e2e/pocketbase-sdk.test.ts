// PocketBase's own JS SDK (the `pocketbase` package) on every route of ours: it sends the bare token
// in Authorization, as PocketBase accepts it, and reads a failure's `message` into ClientResponseError.
// Its default language is en-US, so our answers come in English. Every answer is checked against
// the contract, as api.ts checks its own.
import PocketBase, { ClientResponseError } from "pocketbase";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { expectContract, validProfile } from "../support/api";
import { png } from "../support/avatars";
import { codes, OFFICIAL_ACCOUNT, SECOND_MINIPROGRAM, uniqueName } from "../support/wechat";

const baseUrl = inject("pocketbaseUrl");
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

function pocketbase(): PocketBase {
  const pb = new PocketBase(baseUrl);
  pb.autoCancellation(false);
  pb.afterSend = (response, data, options) => {
    const path = new URL(response.url).pathname;
    expectContract(path, String(options.method), { status: response.status, headers: response.headers, body: data, text: JSON.stringify(data) });
    return data;
  };
  return pb;
}

// PocketBase's SDK rejects with ClientResponseError on any status from 400.
async function failureOf(request: Promise<unknown>): Promise<ClientResponseError> {
  const error = await request.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClientResponseError);
  return error as ClientResponseError;
}

async function signedIn(pb = pocketbase(), name = uniqueName()) {
  const answer = await pb.send("/api/wechat/login", { method: "POST", body: { users_wx_code: codes.loginAs(name) } });
  pb.authStore.save(answer.token, answer.record);
  return { pb, answer, name };
}

describe("PocketBase's JS SDK", () => {
  it("logs in, refreshes with the bare token it keeps, and reads the answers", async () => {
    const { pb, answer } = await signedIn();
    expect(answer.meta).toMatchObject({ code: 200, msg: "Registered", data: { status: "register_success" } });
    const refreshed = await pb.send("/api/wechat/refresh-token", { method: "POST" });
    expect(refreshed.meta).toMatchObject({ code: 200, msg: "Token refreshed", data: { user: { pb_id: answer.record.id } } });
    expect(refreshed.token).not.toBe(answer.token);
  });

  it("updates the profile, field by field too, and uploads an avatar", async () => {
    const { pb } = await signedIn();
    const profile = await pb.send("/api/wechat/profile", { method: "POST", body: validProfile() });
    expect(profile).toMatchObject({ code: 200, msg: "Profile updated", data: { user: { users_name: "张三" } } });
    const fields = await pb.send("/api/wechat/profile/fields", { method: "POST", body: { users_name: "李四" } });
    expect(fields.data.user.users_name).toBe("李四");
    const form = new FormData();
    form.append("file", new Blob([png()], { type: "image/png" }), "avatar.png");
    const avatar = await pb.send("/api/wechat/avatar", { method: "POST", body: form });
    expect(avatar).toMatchObject({ code: 200, msg: "Avatar uploaded", data: { url: expect.stringContaining("/api/files/") } });
  });

  it("lists, binds and unbinds identities, and logs in through a 公众号", async () => {
    const { pb, name } = await signedIn(pocketbase(), uniqueName("union"));
    const bound = await pb.send("/api/wechat/identities", { method: "POST", body: { appid: SECOND_MINIPROGRAM.appId, code: codes.loginAs(name) } });
    expect(bound).toMatchObject({ code: 200, msg: "Identity bound", data: { status: "bound" } });
    const listed = await pb.send("/api/wechat/identities", { method: "GET" });
    expect(listed.data.identities).toHaveLength(2);
    const unbound = await pb.send(`/api/wechat/identities/${bound.data.identity.id}`, { method: "DELETE" });
    expect(unbound).toMatchObject({ code: 200, msg: "Identity unbound", data: { status: "unbound" } });
    const oa = await pocketbase().send("/api/wechat/oa/login", { method: "POST", body: { appid: OFFICIAL_ACCOUNT.appId, code: codes.oaUserInfo(name) } });
    expect(oa.meta).toMatchObject({ code: 200, data: { user: { pb_id: pb.authStore.record!.id } } });
  });

  it("logs out and deletes an account", async () => {
    const leaving = await signedIn();
    const loggedOut = await leaving.pb.send("/api/wechat/logout", { method: "POST", body: { scope: "current" } });
    expect(loggedOut).toMatchObject({ code: 200, msg: "Logged out" });
    const deleting = await signedIn();
    const deleted = await deleting.pb.send("/api/wechat/delete-account", { method: "POST" });
    expect(deleted.code).toBe(200);
    expect(["Deletion requested; logging in again within the cooling-off period cancels it", "Account deleted"]).toContain(deleted.msg);
  });

  it("calls the system routes, and staff's merge with a superuser's bare token", async () => {
    const pb = pocketbase();
    expect(await pb.send("/api/system/health", { method: "POST" })).toMatchObject({ code: 200, msg: "The service is running" });
    expect(await pb.send("/api/system/test-helloworld", { method: "POST" })).toMatchObject({ code: 200, msg: "OK" });
    const staff = pocketbase();
    staff.authStore.save(admin.pb.authStore.token);
    const { answer } = await signedIn();
    const refused = await failureOf(staff.send("/api/wechat/admin/merge-users", { method: "POST", body: { into: answer.record.id, from: answer.record.id } }));
    expect(refused).toMatchObject({ status: 400, message: "A user cannot be merged into itself", response: { error: "merge_same_user" } });
  });

  it("shows our message in ClientResponseError, with the identifier and field problems in its data", async () => {
    const badCode = await failureOf(pocketbase().send("/api/wechat/login", { method: "POST", body: { users_wx_code: 7 } }));
    expect(badCode.message).toBe("Invalid parameters");
    expect(badCode.data).toMatchObject({ code: 400, error: "invalid_fields", data: { users_wx_code: { code: "validation_invalid_type", message: "must be a string" } } });

    const stranger = pocketbase();
    stranger.authStore.save("not.a.token");
    const refused = await failureOf(stranger.send("/api/wechat/refresh-token", { method: "POST" }));
    expect(refused).toMatchObject({ status: 401, message: "The token is invalid or has expired; please log in again", response: { error: "invalid_token" } });

    const chinese = await failureOf(pocketbase().send("/api/wechat/profile", { method: "POST", body: {}, headers: { "Accept-Language": "zh-CN" } }));
    expect(chinese).toMatchObject({ status: 401, message: "缺少 Authorization: Bearer <token>", response: { error: "missing_token" } });

    // The shared server has no WECHAT_PUSH_TOKEN.
    const push = await failureOf(pocketbase().send("/api/wechat/push", { method: "POST", body: {} }));
    expect(push).toMatchObject({ status: 503, message: "Message push is not enabled", response: { error: "push_not_configured" } });
  });

  it("refuses a disabled account by its identifier, and the records route in PocketBase's own words", async () => {
    const { pb, answer, name } = await signedIn();
    const record = await failureOf(pb.send(`/api/wechat/records/tbl_auth_users/${answer.record.id}`, { method: "POST", body: { users_name: "x" } }));
    expect(record.status).toBeGreaterThanOrEqual(400);
    expect(record.message).not.toBe("Something went wrong.");
    await admin.users.update(answer.record.id, { users_status: "禁用" });
    const disabled = await failureOf(pocketbase().send("/api/wechat/login", { method: "POST", body: { users_wx_code: codes.loginAs(name) } }));
    expect(disabled).toMatchObject({ status: 403, message: "This account has been disabled; please contact an administrator", response: { error: "account_disabled" } });
  });
});
