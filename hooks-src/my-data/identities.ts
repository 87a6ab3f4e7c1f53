// The identities a user signs in with, as the user's copy of their data shows them, masked as
// the codebase masks a phone number: the primary mini-program's openid (and the unionid) on the
// user record, and each (appid, openid) of tbl_user_identities. A source of identities is one
// more entry in IDENTITY_SOURCES.
import { IDENTITIES_COLLECTION, identitiesOfUser } from "../identities/identities";
import { USERS_COLLECTION } from "../users/users";
import { maskPhone } from "../users/user-profile";

export interface Identity {
  provider: string;
  appid: string;
  openid_masked: string;
  unionid_masked: string;
  // Where we hold it.
  stored_in: string;
}

type IdentitySource = (user: core.Record, primaryAppid: string) => Identity[];

export const maskIdentifier = maskPhone;

const wechatIdentityOnUser: IdentitySource = (user, primaryAppid) => {
  const openid = user.getString("openid");
  if (openid === "") return [];
  return [{ provider: "wechat_miniprogram", appid: primaryAppid, openid_masked: maskIdentifier(openid), unionid_masked: maskIdentifier(user.getString("unionid")), stored_in: USERS_COLLECTION }];
};

const wechatIdentitiesOfApps: IdentitySource = (user) =>
  identitiesOfUser($app, user.id).map((identity) => ({
    provider: `wechat_${identity.getString("kind")}`,
    appid: identity.getString("appid"),
    openid_masked: maskIdentifier(identity.getString("openid")),
    unionid_masked: maskIdentifier(identity.getString("unionid")),
    stored_in: IDENTITIES_COLLECTION,
  }));

const IDENTITY_SOURCES: readonly IdentitySource[] = [wechatIdentityOnUser, wechatIdentitiesOfApps];

export function identitiesOf(user: core.Record, primaryAppid: string): Identity[] {
  return IDENTITY_SOURCES.flatMap((source) => source(user, primaryAppid));
}
