// The simulator's credentials and helpers to drive it (see sim/wechat-simulator.mjs for the codes).
import { randomUUID } from "node:crypto";

export const WECHAT_APP_ID = "wx_sim_appid";
export const WECHAT_SECRET = "sim_secret_7c1f9e4b2a";

// The apps besides the primary mini-program that the suite's PocketBase and simulator share (WECHAT_APPS).
export const SECOND_MINIPROGRAM = { appId: "wx_sim_second", secret: "sim_secret_second_4d2a", kind: "miniprogram" } as const;
export const OFFICIAL_ACCOUNT = { appId: "wx_sim_oa", secret: "sim_secret_oa_91be", kind: "official_account" } as const;
export const WEBSITE = { appId: "wx_sim_web", secret: "sim_secret_web_3f70", kind: "website" } as const;
export const OTHER_APPS = [SECOND_MINIPROGRAM, OFFICIAL_ACCOUNT, WEBSITE];

export function wechatEnv(simulatorUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    WECHAT_APPID: WECHAT_APP_ID,
    WECHAT_SECRET,
    WECHAT_APPS: JSON.stringify(OTHER_APPS.map(({ appId, secret, kind }) => ({ appid: appId, secret, kind }))),
    WECHAT_API_BASE: simulatorUrl,
    WECHAT_TIMEOUT_S: "2",
    ...overrides,
  };
}

// The openid the simulator gives WeChat user <name> in an app: each app has its own.
export const openidIn = (appId: string, name: string) => (appId === WECHAT_APP_ID ? `osim_${name}` : `osim_${appId}_${name}`);

const nonce = () => randomUUID().replace(/-/g, "").slice(0, 12);

export const codes = {
  // A login code for WeChat user <name>; the simulator answers openid "osim_<name>".
  loginAs: (name: string) => `u-${name}-${nonce()}`,
  phone: (digits: string) => `p-${digits}-${nonce()}`,
  // The same, but WeChat gives countryCode as the number 86.
  phoneWithNumericCountryCode: (digits: string) => `pnum-${digits}-${nonce()}`,
  // A number outside mainland China: WeChat gives countryCode "<countryCode>".
  phoneAbroad: (countryCode: string, digits: string) => `pcc-${countryCode}-${digits}-${nonce()}`,
  scenario: (scenario: string) => `${scenario}-${nonce()}`,
  slow: (ms: number, name: string) => `slow-${ms}-${name}-${nonce()}`,
  // Answered (as u-<name> or p-<digits>) only once the test calls simulator(url).release(code).
  held: (name: string) => `held-${name}-${nonce()}`,
  // 网页授权 codes (公众号 H5, 网站应用) for sns/oauth2/access_token: openid osim_<appid>_<name>, unionid
  // usim_<name> when <name> contains "union" and the scope gives one.
  oaBase: (name: string) => `oab-${name}-${nonce()}`,
  oaUserInfo: (name: string) => `oau-${name}-${nonce()}`,
  // snsapi_userinfo whose unionid only sns/userinfo gives.
  oaUserInfoOnly: (name: string) => `oauinfo-${name}-${nonce()}`,
  website: (name: string) => `web-${name}-${nonce()}`,
  // A 朋友圈 snapshot page's virtual account (is_snapshotuser 1).
  snapshot: (name: string) => `snapshot-${name}-${nonce()}`,
  // The code works, then sns/userinfo fails: "busy", "http500", "garbage", "truncated", "reset" or "hang".
  userInfoFails: (failure: string, name: string) => `userinfo_${failure}-${name}-${nonce()}`,
};

export const uniqueName = (label = "user") => `${label}${nonce()}`;

export interface SimulatorCall {
  path: string;
  method: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

export function simulator(url: string) {
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${url}/__sim/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.json();
  };
  return {
    expireAccessTokens: () => control("access-token/expire", {}),
    revokeAccessTokens: () => control("access-token/revoke", {}),
    // The current token answers errcode to its next `times` uses (all, until a forced refresh), while stable_token hands it out.
    rejectAccessToken: (errcode: 40001 | 40014, times?: number) => control("access-token/reject", { errcode, times }),
    expireSnsTokens: () => control("sns-token/expire", {}),
    // Every 网页授权 access_token and refresh_token the simulator handed out: none may leak.
    snsTokens: async () => ((await control("sns-tokens")) as { tokens: string[] }).tokens,
    // The WeChat user the authorize pages sign in (null: nobody); snapshot gives a snapshot page's code.
    setAuthorizingUser: (name: string | null, { snapshot = false } = {}) => control("authorize/user", { name, snapshot }),
    setStableTokenMode: (mode: string) => control("stable-token/mode", { mode }),
    setForcedRefreshesUsedToday: (used: number) => control("stable-token/forced-refreshes", { used }),
    stats: () =>
      control("stats") as Promise<{
        jscode2session: number;
        stable_token: number;
        stable_token_forced: number;
        getuserphonenumber: number;
        msg_sec_check: number;
        media_check_async: number;
        sns_oauth2_access_token: number;
        sns_userinfo: number;
        authorize: number;
      }>,
    calls: async (path?: string) => ((await control(path ? `calls?path=${encodeURIComponent(path)}` : "calls")) as { calls: SimulatorCall[] }).calls,
    release: (code: string) => control("release", { code }),
  };
}
