// Staff's view of the instance, through PocketBase's own JS SDK and a superuser.
import PocketBase from "pocketbase";
import { inject } from "vitest";
import { SUPERUSER } from "./pocketbase";

export async function adminClient(url: string = inject("pocketbaseUrl")) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
  const users = pb.collection("tbl_auth_users");
  const registrations = pb.collection("tbl_user_registrations");
  return {
    pb,
    users,
    companies: pb.collection("tbl_company"),
    countUsers: async (filter = "") => (await users.getList(1, 1, { filter, skipTotal: false })).totalItems,
    userByOpenid: (openid: string) => users.getFirstListItem(pb.filter("openid = {:openid}", { openid })),
    usersByOpenid: (openid: string) => users.getFullList({ filter: pb.filter("openid = {:openid}", { openid }) }),
    // How the user came in and their risk rank (tbl_user_registrations), or null for none.
    registrationOf: async (userId: string) => (await registrations.getFullList({ filter: pb.filter("user = {:userId}", { userId }) }))[0] ?? null,
  };
}
