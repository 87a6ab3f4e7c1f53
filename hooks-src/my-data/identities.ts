// The identities a user signs in with, as the user's copy of their data shows them, masked as
// the codebase masks a phone number. Today the one identity is the WeChat openid (and unionid)
// on the user record; a source of identities is one more entry in IDENTITY_SOURCES.
import { maskPhone } from "../users/user-profile";

export interface Identity {
  provider: string;
  appid: string;
  openid_masked: string;
  unionid_masked: string;
  // Where we hold it.
  stored_in: string;
}

type IdentitySource = (user: core.Record, appid: string) => Identity[];

export const maskIdentifier = maskPhone;

const wechatIdentityOnUser: IdentitySource = (user, appid) => {
  const openid = user.getString("openid");
  if (openid === "") return [];
  return [{ provider: "wechat_miniprogram", appid, openid_masked: maskIdentifier(openid), unionid_masked: maskIdentifier(user.getString("unionid")), stored_in: "tbl_auth_users" }];
};

const IDENTITY_SOURCES: readonly IdentitySource[] = [wechatIdentityOnUser];

export function identitiesOf(user: core.Record, appid: string): Identity[] {
  return IDENTITY_SOURCES.flatMap((source) => source(user, appid));
}
