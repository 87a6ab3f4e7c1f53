// What a user sees of their own identities: never a whole openid or unionid.
export interface IdentityView {
  id: string;
  kind: string;
  appid: string;
  openid_masked: string;
  has_unionid: boolean;
  first_login: string;
  last_login: string;
}

// "oAbCdEfGh123456789" → "oAbC**********6789": enough to tell two apart, too little to use.
export function maskOpenid(openid: string): string {
  if (openid.length <= 8) return "*".repeat(openid.length);
  return openid.slice(0, 4) + "*".repeat(openid.length - 8) + openid.slice(-4);
}

export function identityViewOf(identity: core.Record): IdentityView {
  return {
    id: identity.id,
    kind: identity.getString("kind"),
    appid: identity.getString("appid"),
    openid_masked: maskOpenid(identity.getString("openid")),
    has_unionid: identity.getString("unionid") !== "",
    first_login: identity.getString("first_login"),
    last_login: identity.getString("last_login"),
  };
}
