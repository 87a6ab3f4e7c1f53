import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { failures } from "../support/responses";
import { codes, uniqueName } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

async function signInThenDisable(name = uniqueName("union")) {
  const signedIn = await client.signIn(name);
  await admin.users.update(signedIn.user.pb_id, { users_status: "禁用" });
  return { ...signedIn, name };
}

describe("users_status", () => {
  it("is 正常 for new users", async () => {
    const { user } = await client.signIn(uniqueName());
    expect((await admin.users.getOne(user.pb_id)).users_status).toBe("正常");
  });

  describe("a user staff disabled", () => {
    it("cannot log in, and the attempt writes nothing", async () => {
      const name = uniqueName();
      const { user } = await client.signIn(name);
      await admin.users.update(user.pb_id, { users_status: "禁用" });
      const before = await admin.users.getOne(user.pb_id);
      // A unionid-bearing login would otherwise be stored on the record.
      const response = await client.login(codes.loginAs(name));
      expect(response.status).toBe(403);
      expect(response.body).toEqual(failures.accountDisabled);
      expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    });

    it("cannot update the profile or refresh with a token from before", async () => {
      const { token, user } = await signInThenDisable();
      const before = await admin.users.getOne(user.pb_id);
      const profile = await client.profile(token, validProfile());
      expect(profile.status).toBe(403);
      expect(profile.body).toEqual(failures.accountDisabled);
      const refresh = await client.refreshToken(token);
      expect(refresh.status).toBe(403);
      expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    });

    it("loses every token already issued, on PocketBase's own endpoints too", async () => {
      const { token, user } = await signInThenDisable();
      const native = await client.get(`/api/collections/tbl_auth_users/records/${user.pb_id}`, token);
      expect(native.status).toBe(404);
      const nativeRefresh = await fetch(`${client.baseUrl}/api/collections/tbl_auth_users/auth-refresh`, {
        method: "POST",
        headers: { authorization: token },
      });
      expect(nativeRefresh.status).toBe(401);
    });

    it("can sign in again once re-enabled, while the old tokens stay void", async () => {
      const { token, user, name } = await signInThenDisable();
      await admin.users.update(user.pb_id, { users_status: "正常" });
      const again = await client.signIn(name);
      expect(again.user.pb_id).toBe(user.pb_id);
      expect((await client.refreshToken(again.token)).status).toBe(200);
      expect((await client.refreshToken(token)).status).toBe(401);
    });
  });
});
