// Staff's side of registration, through the admin UI's API: the policy row of tbl_settings,
// invite codes, and users made by hand.
import { randomInt } from "node:crypto";
import type { adminClient } from "./admin";
import { uniqueName } from "./wechat";

type Admin = Awaited<ReturnType<typeof adminClient>>;
export type Policy = "open" | "phone_match" | "closed" | "approval" | "";

// A mainland number no other test uses: 11 digits starting 19.
export const uniquePhone = () => `19${String(randomInt(0, 1_000_000_000)).padStart(9, "0")}`;

let usersIdSequence = randomInt(0, 100_000_000);
const staffUsersId = () => `U2025${String(++usersIdSequence).padStart(12, "0")}`;

export function registration(admin: Admin) {
  const settings = admin.pb.collection("tbl_settings");
  const invites = admin.pb.collection("tbl_invite_codes");
  return {
    settings,
    invites,
    // As staff pick it in the admin UI; "" hands the choice back to REGISTRATION_POLICY.
    async setPolicy(policy: Policy) {
      const row = await settings.getFirstListItem("");
      await settings.update(row.id, { registration_policy: policy });
    },
    // A user as staff create one in the admin UI: no WeChat identity.
    staffUser(fields: Record<string, unknown> = {}) {
      return admin.users.create({
        users_id: staffUsersId(),
        users_type: "注册用户",
        users_status: "正常",
        password: "a-password-123",
        passwordConfirm: "a-password-123",
        ...fields,
      });
    },
    async invite(fields: { company_id?: string; uses_left?: number; expires?: string } = {}) {
      const code = uniqueName("INV");
      await invites.create({ code, uses_left: 1, ...fields });
      return code;
    },
    usesLeft: async (code: string) => (await invites.getFirstListItem(admin.pb.filter("code = {:code}", { code }))).uses_left as number,
  };
}
