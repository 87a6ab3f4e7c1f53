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
      const name = uniqueName("union");
      const { user } = await client.signIn(name);
      // A user from before the open-platform binding: this login brings a unionid they lack.
      await admin.users.update(user.pb_id, { unionid: "", users_status: "禁用" });
      const before = await admin.users.getOne(user.pb_id);
      const response = await client.login(codes.loginAs(name));
      expect(response.status).toBe(403);
      expect(response.body).toEqual(failures.accountDisabled);
      expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    });

    // Disabling rotated the token key, so the old token can no longer be verified, and an
    // unverified token learns nothing about the account it names.
    it("cannot update the profile or refresh with a token from before: it is void", async () => {
      const { token, user } = await signInThenDisable();
      const before = await admin.users.getOne(user.pb_id);
      const profile = await client.profile(token, validProfile());
      expect(profile.body).toEqual(failures.invalidToken);
      const refresh = await client.refreshToken(token);
      expect(refresh.body).toEqual(failures.invalidToken);
      expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    });

    // A superuser's impersonation token is signed with the current key: a verified token.
    it("is told 403 on a token issued after the disable", async () => {
      const { user } = await signInThenDisable();
      const impersonated = await admin.pb.collection("tbl_auth_users").impersonate(user.pb_id, 60);
      const profile = await client.profile(impersonated.authStore.token, validProfile());
      expect(profile.body).toEqual(failures.accountDisabled);
    });

    it("loses every token already issued, on PocketBase's own endpoints too", async () => {
      const { token, user } = await signInThenDisable();
      const native = await client.get(`/api/collections/tbl_auth_users/records/${user.pb_id}`, token);
      expect(native.status).toBe(401);
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

  // A login reads the user before it records a new unionid; a staff edit in between must
  // survive, and the tokens issued before the disable must stay void.
  it("a staff disable racing a login that brings a unionid is never undone", { timeout: 120_000 }, async () => {
    const TRIES = 60;
    const name = uniqueName("union");
    const { user } = await client.signIn(name);
    const undone: string[] = [];
    for (let attempt = 0; attempt < TRIES; attempt++) {
      await admin.users.update(user.pb_id, { unionid: "", users_status: "正常" });
      const [login] = await Promise.all([
        client.login(codes.loginAs(name)),
        new Promise((resolve) => setTimeout(resolve, attempt % 8)).then(() => admin.users.update(user.pb_id, { users_status: "禁用" })),
      ]);
      const after = await admin.users.getOne(user.pb_id);
      if (after.users_status !== "禁用") undone.push(`try ${attempt}: ${after.users_status}`);
      if (login.status === 200 && (await client.refreshToken(login.body.token)).status === 200) undone.push(`try ${attempt}: token alive`);
      if (login.status !== 200 && login.status !== 403) undone.push(`try ${attempt}: login answered ${login.status}`);
    }
    expect(undone).toEqual([]);
  });
});
