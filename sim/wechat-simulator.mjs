// WeChat server simulator (mini-program, 公众号 网页授权, 网站应用 扫码登录), for end-to-end tests,
// benchmarks and local demos.
//
// It speaks WeChat's real paths, parameters, errcodes and content types:
//   GET  /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code   (answers text/plain)
//   POST /cgi-bin/stable_token                       {"grant_type":"client_credential","appid","secret","force_refresh"}
//   POST /wxa/business/getuserphonenumber?access_token=TOKEN   {"code":"..."}
//   POST /wxa/msg_sec_check, /wxa/media_check_async          content security: see sim/content-security.mjs
//   POST /wxa/getuserriskrank?access_token=TOKEN  {"appid","openid","scene":0|1|2,"client_ip", "mobile_no"?}
//        for the app whose token asks, about one of its openids (40003 otherwise); the openid picks the
//        answer (the login code u-<name>-… gives openid osim_<name>): a part of <name>
//        "risk<0-4>" → that risk_rank; "riskerr<code>" → that errcode ("riskerrm1" → -1, "riskerr48001",
//        "riskerr61010"); "riskhang", "riskhttp500", "riskgarbage" → that transport failure; otherwise rank 0
//   GET  /sns/oauth2/access_token?appid=&secret=&code=&grant_type=authorization_code   网页授权: code → user's
//        {access_token, expires_in, refresh_token, openid, scope[, is_snapshotuser: 1][, unionid]}
//   GET  /sns/userinfo?access_token=&openid=&lang=zh_CN   {openid, nickname, sex, province, city, country,
//        headimgurl, privilege[, unionid]}; 48001 "api unauthorized" for a snsapi_base token
//   GET  /connect/oauth2/authorize?appid=&redirect_uri=&response_type=code&scope=snsapi_base|snsapi_userinfo&state=
//   GET  /connect/qrconnect?…&scope=snsapi_login     (open.weixin.qq.com's pages, served here too) 302 to
//        redirect_uri?code=CODE&state=STATE for the user set with /__sim/authorize/user; 400 HTML otherwise
// Every errmsg ends in " rid: xxxxxxxx-xxxxxxxx-xxxxxxxx", as WeChat's do.
//
// Apps: `appId`/`secret` is the primary mini-program; `apps` ([{appId, secret}]) adds the other apps of
// the same open platform. Each app has its own secret, openids (osim_<name> in the primary app,
// osim_<appId>_<name> in the others; the unionid usim_<name> is the same in all) and access tokens:
// stable_token's current token, forced refreshes and daily cap are per appid, and an API called with
// an access token answers as the app that token belongs to (phone_info's watermark names it). 网页授权
// access tokens are the user's, not the app's: they open sns/userinfo for one openid, and nothing else
// (a stable_token token gets 40001 there, and a 网页授权 token 40001 on every other API).
//
// The scenario is chosen by the VALUE of the code the client sends. Codes use only [A-Za-z0-9_-],
// with "-" as separator; a trailing "-<nonce>" keeps each code unique (codes are single-use).
//
//   login code (js_code)            phone code                    answer
//   u-<name>-<nonce>                p-<digits>-<nonce>            success: openid "osim_<name>" (+ unionid "usim_<name>"
//                                                                 when <name> contains "union") / phone number <digits>,
//                                                                 countryCode "86" (a string)
//   -                               pnum-<digits>-<nonce>         the same, with countryCode 86 (a number, as in WeChat's own example)
//   -                               pcc-<cc>-<digits>-<nonce>     a number outside mainland China: countryCode "<cc>",
//                                                                 purePhoneNumber <digits>, phoneNumber "+<cc> <digits>"
//   slow-<ms>-<name>-<nonce>        slow-<ms>-<digits>-<nonce>    success after <ms> ms (max 60000)
//   held-<name>-<nonce>             held-<digits>-<nonce>         success once the test releases the code (POST /__sim/release),
//                                                                 at the latest after 60000 ms: a race staged at an exact point
//   invalid-...                     invalid-...                   errcode 40029 "invalid code"
//   blocked-...                     -                             errcode 40226 "code blocked" (high-risk user)
//   -                               wrongapp-...                  errcode 40013 "invalid appid" (a phone code issued to another appid)
//   ratelimit-...                   ratelimit-...                 errcode 45011 "api minute-quota reach limit ..."
//   busy-...                        busy-...                      errcode -1 "system error"
//   http500-...                     http500-...                   HTTP 500 with an HTML body
//   garbage-...                     garbage-...                   HTTP 200, body "<html>not json"
//   truncated-...                   truncated-...                 HTTP 200, cut-off JSON body
//   reset-...                       reset-...                     socket destroyed without an answer
//   hang-...                        hang-...                      never answers
//   consumed_reset-...              consumed_reset-...            uses the code up, then resets the socket
//   consumed_truncated-...          consumed_truncated-...        uses the code up, then answers cut-off JSON
//   consumed_hang-...               consumed_hang-...             uses the code up, then never answers
//   anything else                   anything else                 errcode 40029 "invalid code"
//
//   网页授权 code (sns/oauth2/access_token; invalid-, ratelimit-, busy- and the transport failures above work here too)
//   oab-<name>-<nonce>              scope snsapi_base: openid only, never a unionid; sns/userinfo answers 48001
//   oau-<name>-<nonce>              scope snsapi_userinfo: the unionid (when <name> contains "union") comes in the
//                                   token's answer and in sns/userinfo's
//   oauinfo-<name>-<nonce>          snsapi_userinfo, but only sns/userinfo gives the unionid
//   web-<name>-<nonce>              scope snsapi_login (网站应用 扫码登录), unionid as for oau-
//   snapshot-<name>-<nonce>         a 朋友圈 snapshot page's virtual account: is_snapshotuser 1, a new virtual
//                                   openid (osim_snapshot_…) every time, snsapi_base, no unionid
//   userinfo_<failure>-<name>-<n>   as oauinfo-, then sns/userinfo fails: busy (-1), http500, garbage, truncated,
//                                   reset, hang
//
// DevTools mode (devtools: true; CLI --devtools, env WECHAT_SIM_DEVTOOLS=1; on in `npm run start:simulator`
// and `npm run dev`): WeChat DevTools' real wx.login gives codes like "0716AVll20uHk94SLDml27etM946AVlq"
// (32 characters of [A-Za-z0-9], a new one each call), which say nothing about who asked. So every login
// code outside the scenario syntax above succeeds as one development user, openid devtoolsOpenid(device):
// the same on every call and every restart (so pb_data keeps that user), and another for another
// devtoolsDevice (CLI --devtools-device, env WECHAT_SIM_DEVTOOLS_DEVICE; "devtools" by default), which is
// how two developers sharing one backend stay two users. A phone code outside the syntax (DevTools'
// getPhoneNumber) succeeds as DEVTOOLS_PHONE_NUMBER. Codes stay single-use, as WeChat's.
//
// Reusing a code that got a WeChat answer (success or errcode) gives 40163 "code been used" for login
// and 网页授权 codes and 40029 "invalid code" for phone codes. The plain transport failures (http500, garbage,
// truncated, reset, hang) do not consume the code, so a retry gets the same failure; the consumed_*
// ones do, as real WeChat may have handled a request whose answer never arrived.
//
// Access tokens (stable_token) behave as WeChat documents them, each appid's on their own:
//   - normal mode hands out the current token; once it has under 5 minutes left (accessTokenRotationSeconds,
//     by default 300, or 1/24 of shorter lifetimes) it issues the next one, and the old one keeps working
//     until it expires;
//   - force_refresh issues a new token and invalidates the current one, at most once per 30 s
//     (forceRefreshIntervalSeconds; a sooner forced call hands back the current token, not refreshed)
//     and 20 times a day (forceRefreshDailyLimit; every forced call counts; then errcode 45009).
//
// Control API (JSON, never delayed by the simulated latency):
//   POST /__sim/reset                  forget used codes, calls, tokens, modes, forced refreshes; latency back to its start value
//   POST /__sim/access-token/expire    [{"appid"}] every issued access_token (of that app) now answers 42001
//   POST /__sim/access-token/revoke    [{"appid"}] every issued access_token (of that app) now answers 40001
//   POST /__sim/access-token/reject    {"errcode":40001|40014,"times":n[,"appid"]}  the app's current access_token (the
//                                      primary's by default) answers errcode to its next n uses (without "times": until a
//                                      forced refresh replaces it), while stable_token keeps handing it out: WeChat's
//                                      spurious 40001 for a token that is still valid
//   POST /__sim/stable-token/mode      {"mode":"ok"|"busy"|"ratelimit"|"ip-not-whitelisted"|"ip-needs-confirmation"|
//                                      "appid-missing"|"secret-missing"|"http500"|"garbage"|"truncated"|"reset"|"hang"}
//                                      errcodes -1, 45009, 40164, 89503, 41002, 41004, or the transport failure
//   POST /__sim/stable-token/forced-refreshes   {"used":n[,"appid"]}  the app's forced refreshes already used today
//                                      (20 reaches the cap)
//   POST /__sim/release                {"code":"held-…"}  answers the held-… call waiting with that code (or the next one to come)
//   POST /__sim/sns-token/expire       every 网页授权 access_token now answers 42001 on sns/userinfo
//   GET  /__sim/sns-tokens             {"tokens":[…]} every 网页授权 access_token and refresh_token handed out (last 10k)
//   POST /__sim/authorize/user         {"name":"alice"[,"snapshot":true]} the WeChat user of the browser, whom the
//                                      authorize pages sign in (the code: oab-/oau-/web-<name>-…, or snapshot-…);
//                                      {"name":null} signs them out
//   POST /__sim/latency                {"ms":100} or {"ms":[50,150]}  delay every WeChat answer (a range: random within it)
//   GET  /__sim/calls[?path=/sns/jscode2session]   {"calls":[{path,method,query,body,at}]} (last 10k)
//   GET  /__sim/stats                  {"jscode2session":n,"stable_token":n,"stable_token_forced":n,"getuserphonenumber":n,
//                                      "getuserriskrank":n,"sns_oauth2_access_token":n,"sns_userinfo":n,"authorize":n,…}
//   GET  /__sim/health                 {"ok":true}
//
// CLI: node sim/wechat-simulator.mjs [--port 9300] [--host 127.0.0.1] [--appid wx_sim_appid]
//      [--secret sim_secret] [--latency-ms 50-150] [--devtools] [--devtools-device <name>]
//      (env: WECHAT_SIM_PORT, WECHAT_SIM_HOST, WECHAT_APPID, WECHAT_SECRET, WECHAT_SIM_LATENCY_MS,
//      WECHAT_SIM_DEVTOOLS=1, WECHAT_SIM_DEVTOOLS_DEVICE; latency is "<ms>" or "<min>-<max>", 50-150 by default;
//      the other apps come from WECHAT_APPS, the hooks' own JSON list of {appid, secret, kind})

import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createContentSecurity } from "./content-security.mjs";

const TEXT_PLAIN = "text/plain";
const WECHAT_JSON = "application/json; encoding=utf-8";
const CONTROL_JSON = "application/json; charset=utf-8";

const MAX_USED_CODES = 200_000;
const MAX_CALL_LOG = 10_000;
const MAX_TOKENS = 10_000;
const MAX_SLOW_MS = 60_000;
const MAX_BODY_BYTES = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000; // WeChat's daily quotas restart at midnight, Beijing time
// What a call to api.weixin.qq.com takes from a server in mainland China, roughly: the CLI's default.
export const DEFAULT_CLI_LATENCY = "50-150";

const INVALID_CODE = [40029, "invalid code"];
const RATE_LIMITED = [45011, "api minute-quota reach limit mustslower retry next minute"];
const SYSTEM_BUSY = [-1, "system error"];
const DAILY_QUOTA_REACHED = [45009, "reach max api daily quota limit"];
const LOGIN_CODE_ERRORS = { invalid: INVALID_CODE, blocked: [40226, "code blocked"], ratelimit: RATE_LIMITED, busy: SYSTEM_BUSY };
const WEB_CODE_ERRORS = { invalid: INVALID_CODE, ratelimit: RATE_LIMITED, busy: SYSTEM_BUSY };
const PHONE_CODE_ERRORS = { invalid: INVALID_CODE, wrongapp: [40013, "invalid appid"], ratelimit: RATE_LIMITED, busy: SYSTEM_BUSY };
const TRANSPORT_FAILURES = new Set(["http500", "garbage", "truncated", "reset", "hang"]);
// The code is used up first, then the answer is lost: consumed_reset → "reset", …
const CONSUMED_THEN_FAILED = new Set(["consumed_reset", "consumed_truncated", "consumed_hang"]);
// 网页授权 codes: the scope the user granted, and whether the access_token answer itself carries
// the unionid (WeChat's docs: for snsapi_userinfo, and for snsapi_login once the user granted it);
// oauinfo- is a snsapi_userinfo grant whose unionid only sns/userinfo gives, as older accounts see.
const WEB_CODES = {
  oab: { scope: "snsapi_base", unionidInToken: false },
  oau: { scope: "snsapi_userinfo", unionidInToken: true },
  oauinfo: { scope: "snsapi_userinfo", unionidInToken: false },
  web: { scope: "snsapi_login", unionidInToken: true },
  snapshot: { scope: "snsapi_base", unionidInToken: false, snapshot: true },
};
// userinfo_<failure>-<name>: the code works, then sns/userinfo fails this way.
const USERINFO_FAILURES = new Set(["busy", ...TRANSPORT_FAILURES]);
const AUTHORIZE_SCOPES = { "/connect/oauth2/authorize": ["snsapi_base", "snsapi_userinfo"], "/connect/qrconnect": ["snsapi_login"] };
const CODE_PREFIX_OF_SCOPE = { snsapi_base: "oab", snsapi_userinfo: "oau", snsapi_login: "web" };
const SNS_TOKEN_TTL_SECONDS = 7200;
const STABLE_TOKEN_ERRORS = {
  busy: SYSTEM_BUSY,
  ratelimit: DAILY_QUOTA_REACHED,
  "ip-not-whitelisted": [40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist"],
  "ip-needs-confirmation": [89503, "此次调用需要管理员确认，请耐心等候"],
  "appid-missing": [41002, "appid missing"],
  "secret-missing": [41004, "appsecret missing"],
};
const STABLE_TOKEN_MODES = new Set(["ok", ...Object.keys(STABLE_TOKEN_ERRORS), ...TRANSPORT_FAILURES]);
const REJECTION_ERRCODES = new Set([40001, 40014]);
const REJECTION_ERRMSGS = {
  40001: "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken",
  40014: "invalid access_token",
};

const RISK_ERRMSGS = { [-1]: "system error", 48001: "api unauthorized", 61010: "openid expired", 40003: "invalid openid", 43104: "appid not match openid" };
const RISK_TRANSPORT = { riskhang: "hang", riskhttp500: "http500", riskgarbage: "garbage", riskreset: "reset" };

/** getuserriskrank's answer for a simulated user's name, e.g. "bob_risk4" → rank 4, "eve_riskerr61010" → errcode 61010. */
export function riskScenarioOf(name) {
  for (const part of name.split("_")) {
    let match;
    if ((match = /^risk([0-4])$/.exec(part))) return { rank: Number(match[1]) };
    if ((match = /^riskerr(m?)(\d+)$/.exec(part))) return { errcode: (match[1] ? -1 : 1) * Number(match[2]) };
    if (Object.hasOwn(RISK_TRANSPORT, part)) return { transport: RISK_TRANSPORT[part] };
  }
  return { rank: 0 };
}

export const DEFAULT_DEVTOOLS_DEVICE = "devtools";
export const DEVTOOLS_PHONE_NUMBER = "13800138000";

/** The development user's openid for a DevTools device: 28 characters, as WeChat's openids are. */
export function devtoolsOpenid(device = DEFAULT_DEVTOOLS_DEVICE) {
  return `odev_${createHash("sha256").update(device).digest("base64url").slice(0, 23)}`;
}

/** WECHAT_SIM_DEVTOOLS: "1", "true", "on" or "yes" turn DevTools mode on, "0", "false", "off" or "no" off; else the fallback. */
export function devtoolsModeFromEnv(value, fallback = false) {
  const text = String(value ?? "").trim().toLowerCase();
  if (["1", "true", "on", "yes"].includes(text)) return true;
  if (["0", "false", "off", "no"].includes(text)) return false;
  return fallback;
}

const requestId = () => [4, 4, 4].map((bytes) => randomBytes(bytes).toString("hex")).join("-");
const wechatError = (errcode, errmsg) => ({ errcode, errmsg: `${errmsg} rid: ${requestId()}` });

/** "100" → 100, "50-150" → [50, 150]; throws on anything else. */
export function parseLatency(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(String(text));
  if (!match) throw new Error(`latency must be "<ms>" or "<min>-<max>", got "${text}"`);
  const min = Number(match[1]);
  if (match[2] === undefined) return min;
  const max = Number(match[2]);
  if (max < min) throw new Error(`latency range must go from low to high, got "${text}"`);
  return [min, max];
}

function isLatency(value) {
  if (Array.isArray(value)) return value.length === 2 && value.every((ms) => Number.isFinite(ms) && ms >= 0) && value[0] <= value[1];
  return Number.isFinite(value) && value >= 0;
}

const latencySample = (latency) => (Array.isArray(latency) ? latency[0] + Math.random() * (latency[1] - latency[0]) : latency);

/** Reads the scenario out of a code, e.g. "u-alice-1" → { kind: "user", subject: "alice" }. */
function parseCode(code) {
  if (!/^[A-Za-z0-9_-]+$/.test(code)) return { kind: "unknown" };
  let match;
  if ((match = /^u-([A-Za-z0-9_]+)(-|$)/.exec(code))) return { kind: "user", subject: match[1] };
  if ((match = /^p-(\d+)(-|$)/.exec(code))) return { kind: "phone", subject: match[1] };
  if ((match = /^pnum-(\d+)(-|$)/.exec(code))) return { kind: "phone", subject: match[1], numericCountryCode: true };
  if ((match = /^pcc-(\d{1,4})-(\d+)(-|$)/.exec(code))) return { kind: "phone", subject: match[2], countryCode: match[1] };
  if ((match = /^slow-(\d+)-([A-Za-z0-9_]+)(-|$)/.exec(code))) {
    return { kind: "slow", delayMs: Math.min(Number(match[1]), MAX_SLOW_MS), subject: match[2] };
  }
  if ((match = /^held-([A-Za-z0-9_]+)(-|$)/.exec(code))) return { kind: "held", subject: match[1] };
  if ((match = /^(oab|oau|oauinfo|web|snapshot)-([A-Za-z0-9_]+)(-|$)/.exec(code))) return { kind: "web", ...WEB_CODES[match[1]], subject: match[2] };
  if ((match = /^userinfo_([a-z0-9]+)-([A-Za-z0-9_]+)(-|$)/.exec(code)) && USERINFO_FAILURES.has(match[1])) {
    return { kind: "web", ...WEB_CODES.oauinfo, userinfoFailure: match[1], subject: match[2] };
  }
  const dash = code.indexOf("-");
  const prefix = dash === -1 ? code : code.slice(0, dash);
  if (Object.hasOwn(LOGIN_CODE_ERRORS, prefix) || Object.hasOwn(PHONE_CODE_ERRORS, prefix)) return { kind: prefix };
  if (TRANSPORT_FAILURES.has(prefix) || CONSUMED_THEN_FAILED.has(prefix)) return { kind: prefix };
  return { kind: "unknown" };
}

/** Marks a code as used; returns false if it was used already. Forgets the oldest codes beyond the bound. */
function claimCode(usedCodes, code) {
  if (usedCodes.has(code)) return false;
  usedCodes.add(code);
  if (usedCodes.size > MAX_USED_CODES) usedCodes.delete(usedCodes.values().next().value);
  return true;
}

function send(res, status, contentType, body) {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Answers like a broken network path or upstream would: 500 page, non-JSON, cut-off JSON, reset, or silence. */
function sendTransportFailure(req, res, kind, contentType, truncatedBody) {
  if (kind === "http500") send(res, 500, "text/html; charset=utf-8", "<html><body><h1>500 Internal Server Error</h1></body></html>");
  else if (kind === "garbage") send(res, 200, contentType, "<html>not json");
  else if (kind === "truncated") send(res, 200, contentType, truncatedBody);
  else if (kind === "reset") req.socket.destroy();
  // "hang": never answer; close() destroys the socket.
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function startWechatSimulator({
  port = 0,
  host = "127.0.0.1",
  appId = "wx_sim_appid",
  secret = "sim_secret",
  // Further apps of the same open platform: [{appId, secret}]. One person has another openid in each
  // app (osim_<appId>_<name>; the first app's is osim_<name>) and the same unionid in all.
  apps = [],
  latencyMs = 0,
  accessTokenTtlSeconds = 7200,
  accessTokenRotationSeconds = accessTokenTtlSeconds > 300 ? 300 : accessTokenTtlSeconds / 24,
  forceRefreshIntervalSeconds = 30,
  forceRefreshDailyLimit = 20,
  devtools = false,
  devtoolsDevice = DEFAULT_DEVTOOLS_DEVICE,
} = {}) {
  if (!isLatency(latencyMs)) throw new Error("latencyMs must be a number >= 0 or a [min, max] range");
  const appsById = new Map([[appId, { appId, secret }], ...apps.map((app) => [app.appId, { appId: app.appId, secret: app.secret }])]);
//
  if (typeof devtoolsDevice !== "string" || devtoolsDevice.trim() === "") throw new Error("devtoolsDevice must be a non-empty name");
  // What a code outside the scenario syntax is: DevTools' in DevTools mode, else an invalid one.
  const isDevtoolsCode = (scenario, code) => devtools && scenario.kind === "unknown" && /^[A-Za-z0-9_-]+$/.test(code);
  const state = {};
  function resetState() {
    state.latencyMs = latencyMs;
    state.usedLoginCodes = new Set();
    state.usedPhoneCodes = new Set();
    state.usedWebCodes = new Set();
    state.tokens = new Map(); // access_token → { appId, value, expiresAt, expired, revoked, rejection }
    // Per appid: its current access token and its forced refreshes, as WeChat keeps them.
    state.accessTokensOf = new Map([...appsById.keys()].map((id) => [id, { currentToken: null, forcedRefreshes: { day: -1, used: 0, lastRefreshedAt: -Infinity } }]));
    state.snsTokens = new Map(); // 网页授权 access_token → { appId, openid, scope, name, unionid, refreshToken, expiresAt, expired, userinfoFailure }
    state.authorizingUser = null; // { name, snapshot }: who is signed in to WeChat in the browser
    state.stableTokenMode = "ok";
    state.callLog = [];
    state.heldCodes = new Map(); // code → answers the call waiting with it
    state.releasedCodes = new Set(); // released before their call arrived
    state.stats = {
      jscode2session: 0,
      stable_token: 0,
      stable_token_forced: 0,
      getuserphonenumber: 0,
      msg_sec_check: 0,
      media_check_async: 0,
      sns_oauth2_access_token: 0,
      sns_userinfo: 0,
      authorize: 0,
      getuserriskrank: 0,
    };
  }
  resetState();

  const pendingTimers = new Set();
  function delay(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });
  }

  /** Waits until the test releases this held-… code, at most MAX_SLOW_MS. */
  function heldUntilReleased(code) {
    if (state.releasedCodes.delete(code)) return Promise.resolve();
    return new Promise((resolve) => {
      const answer = () => {
        clearTimeout(timer);
        pendingTimers.delete(timer);
        if (state.heldCodes.get(code) === answer) state.heldCodes.delete(code);
        resolve();
      };
      const timer = setTimeout(answer, MAX_SLOW_MS);
      pendingTimers.add(timer);
      state.heldCodes.set(code, answer);
    });
  }

  function releaseCode(code) {
    const answer = state.heldCodes.get(code);
    if (answer) answer();
    else state.releasedCodes.add(code);
    return Boolean(answer);
  }

  // ---- access tokens ----------------------------------------------------------------------------

  function issueAccessToken(app) {
    const token = { appId: app, value: randomBytes(48).toString("base64url"), expiresAt: Date.now() + accessTokenTtlSeconds * 1000, expired: false, revoked: false, rejection: null };
    state.tokens.set(token.value, token);
    if (state.tokens.size > MAX_TOKENS) state.tokens.delete(state.tokens.keys().next().value);
    state.accessTokensOf.get(app).currentToken = token;
    return token;
  }

  const isUsable = (token) => Boolean(token) && !token.revoked && !token.expired && Date.now() < token.expiresAt;

  /** The errcode a call made with this token gets, or 0. A pending rejection is used up by the call. */
  function accessTokenErrcode(token) {
    if (!token || token.revoked) return 40001;
    if (token.expired || Date.now() >= token.expiresAt) return 42001;
    const rejection = token.rejection;
    if (rejection && rejection.remaining !== 0) {
      if (rejection.remaining !== undefined) rejection.remaining -= 1;
      return rejection.errcode;
    }
    return 0;
  }

  /** force_refresh: counted against the app's daily cap; refreshes only if its last refresh is 30 s old. */
  function forceRefresh(app) {
    const tokens = state.accessTokensOf.get(app);
    const forced = tokens.forcedRefreshes;
    const today = Math.floor((Date.now() + BEIJING_OFFSET_MS) / DAY_MS);
    if (forced.day !== today) Object.assign(forced, { day: today, used: 0 });
    if (forced.used >= forceRefreshDailyLimit) return null;
    forced.used += 1;
    if (Date.now() - forced.lastRefreshedAt < forceRefreshIntervalSeconds * 1000 && isUsable(tokens.currentToken)) return tokens.currentToken;
    forced.lastRefreshedAt = Date.now();
    if (tokens.currentToken) tokens.currentToken.revoked = true;
    return issueAccessToken(app);
  }

  /** Normal mode: the app's current token, or the next one once the current one is in its last minutes. */
  function currentAccessToken(app) {
    const token = state.accessTokensOf.get(app).currentToken;
    if (isUsable(token) && token.expiresAt - Date.now() > accessTokenRotationSeconds * 1000) return token;
    return issueAccessToken(app);
  }

  // ---- WeChat endpoints -------------------------------------------------------------------------

  const secretOf = (app) => appsById.get(app)?.secret;
  const openidOf = (app, name) => (app === appId ? `osim_${name}` : `osim_${app}_${name}`);
  // The name in one of the app's openids, or null when the openid is not the app's.
  const nameOfOpenid = (app, openid) => {
    const prefix = app === appId ? "osim_" : `osim_${app}_`;
    if (!openid.startsWith(prefix) || openid.length === prefix.length) return null;
    if (app === appId && [...appsById.keys()].some((other) => other !== appId && openid.startsWith(`osim_${other}_`))) return null;
    return openid.slice(prefix.length);
  };

  // What jscode2session and sns/oauth2/access_token answer a code exchange whose app or grant is wrong.
  function codeExchangeRefusal(query) {
    const app = query.get("appid");
    if (!appsById.has(app)) return wechatError(40013, "invalid appid");
    if (query.get("secret") !== secretOf(app)) return wechatError(40125, "invalid appsecret");
    if (query.get("grant_type") !== "authorization_code") return wechatError(40002, "invalid grant_type");
    return null;
  }

  async function handleJsCode2Session(req, res, query) {
    const reply = (payload) => send(res, 200, TEXT_PLAIN, JSON.stringify(payload));
    const app = query.get("appid");
    const refusal = codeExchangeRefusal(query);
    if (refusal) return reply(refusal);
    const code = query.get("js_code");
    if (!code) return reply(wechatError(41008, "missing code"));

    const scenario = parseCode(code);
    const truncatedSession = '{"openid":"o';
    if (TRANSPORT_FAILURES.has(scenario.kind)) return sendTransportFailure(req, res, scenario.kind, TEXT_PLAIN, truncatedSession);
    if (!claimCode(state.usedLoginCodes, code)) return reply(wechatError(40163, "code been used"));
    if (CONSUMED_THEN_FAILED.has(scenario.kind)) {
      return sendTransportFailure(req, res, scenario.kind.slice("consumed_".length), TEXT_PLAIN, truncatedSession);
    }

    if (isDevtoolsCode(scenario, code)) return reply({ openid: devtoolsOpenid(devtoolsDevice), session_key: randomBytes(16).toString("base64") });
    if (scenario.kind === "slow") await delay(scenario.delayMs);
    if (scenario.kind === "held") await heldUntilReleased(code);
    if (scenario.kind === "user" || scenario.kind === "slow" || scenario.kind === "held") {
      const name = scenario.subject;
      const session = { openid: openidOf(app, name), session_key: randomBytes(16).toString("base64") };
      if (name.includes("union")) session.unionid = `usim_${name}`;
      return reply(session);
    }
    const [errcode, errmsg] = LOGIN_CODE_ERRORS[scenario.kind] ?? INVALID_CODE;
    return reply(wechatError(errcode, errmsg));
  }

  function handleStableToken(req, res, query, body) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const mode = state.stableTokenMode;
    if (TRANSPORT_FAILURES.has(mode)) return sendTransportFailure(req, res, mode, WECHAT_JSON, '{"access_token":"');
    if (!body) return reply(wechatError(47001, "data format error"));
    if (!body.appid) return reply(wechatError(41002, "appid missing"));
    if (!body.secret) return reply(wechatError(41004, "appsecret missing"));
    if (!appsById.has(body.appid)) return reply(wechatError(40013, "invalid appid"));
    if (body.secret !== secretOf(body.appid)) return reply(wechatError(40125, "invalid appsecret"));
    if (body.grant_type !== "client_credential") return reply(wechatError(40002, "invalid grant_type"));
    if (Object.hasOwn(STABLE_TOKEN_ERRORS, mode)) return reply(wechatError(...STABLE_TOKEN_ERRORS[mode]));

    let token;
    if (body.force_refresh === true) {
      state.stats.stable_token_forced += 1;
      token = forceRefresh(body.appid);
      if (!token) return reply(wechatError(...DAILY_QUOTA_REACHED));
    } else {
      token = currentAccessToken(body.appid);
    }
    return reply({ access_token: token.value, expires_in: Math.round((token.expiresAt - Date.now()) / 1000) });
  }

  async function handleGetUserPhoneNumber(req, res, query, body) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const accessToken = query.get("access_token");
    if (!accessToken) return reply(wechatError(41001, "access_token missing"));
    const token = state.tokens.get(accessToken);
    const tokenErrcode = accessTokenErrcode(token);
    if (tokenErrcode === 42001) return reply(wechatError(42001, "access_token expired"));
    if (tokenErrcode !== 0) return reply(wechatError(tokenErrcode, REJECTION_ERRMSGS[tokenErrcode]));
    if (!body) return reply(wechatError(47001, "data format error"));
    const code = body.code;
    if (typeof code !== "string" || code === "") return reply(wechatError(41008, "missing code"));

    const scenario = parseCode(code);
    const truncatedPhoneInfo = '{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"1';
    if (TRANSPORT_FAILURES.has(scenario.kind)) return sendTransportFailure(req, res, scenario.kind, WECHAT_JSON, truncatedPhoneInfo);
    if (!claimCode(state.usedPhoneCodes, code)) return reply(wechatError(...INVALID_CODE));
    if (CONSUMED_THEN_FAILED.has(scenario.kind)) {
      return sendTransportFailure(req, res, scenario.kind.slice("consumed_".length), WECHAT_JSON, truncatedPhoneInfo);
    }

    const isDevtoolsPhone = isDevtoolsCode(scenario, code);
    const isPhoneSuccess =
      isDevtoolsPhone || scenario.kind === "phone" || ((scenario.kind === "slow" || scenario.kind === "held") && /^\d+$/.test(scenario.subject));
    if (scenario.kind === "slow" && isPhoneSuccess) await delay(scenario.delayMs);
    if (scenario.kind === "held" && isPhoneSuccess) await heldUntilReleased(code);
    if (isPhoneSuccess) {
      const phoneNumber = isDevtoolsPhone ? DEVTOOLS_PHONE_NUMBER : scenario.subject;
      // The phone number is answered for the app whose token asked.
      const watermark = { timestamp: Math.floor(Date.now() / 1000), appid: token.appId };
      if (scenario.countryCode) {
        const phoneInfo = { phoneNumber: `+${scenario.countryCode} ${phoneNumber}`, purePhoneNumber: phoneNumber, countryCode: scenario.countryCode, watermark };
        return reply({ errcode: 0, errmsg: "ok", phone_info: phoneInfo });
      }
      const countryCode = scenario.numericCountryCode ? 86 : "86";
      return reply({ errcode: 0, errmsg: "ok", phone_info: { phoneNumber, purePhoneNumber: phoneNumber, countryCode, watermark } });
    }
    const [errcode, errmsg] = PHONE_CODE_ERRORS[scenario.kind] ?? INVALID_CODE;
    return reply(wechatError(errcode, errmsg));
  }

  function handleGetUserRiskRank(req, res, query, body) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const accessToken = query.get("access_token");
    if (!accessToken) return reply(wechatError(41001, "access_token missing"));
    const tokenErrcode = accessTokenErrcode(state.tokens.get(accessToken));
    if (tokenErrcode === 42001) return reply(wechatError(42001, "access_token expired"));
    if (tokenErrcode !== 0) return reply(wechatError(tokenErrcode, REJECTION_ERRMSGS[tokenErrcode]));
    if (!body) return reply(wechatError(47001, "data format error"));
    // Answered for the app whose token asked, about one of that app's openids.
    const token = state.tokens.get(accessToken);
    if (body.appid !== token.appId) return reply(wechatError(43104, "appid not match openid"));
    const name = typeof body.openid === "string" ? nameOfOpenid(token.appId, body.openid) : null;
    if (name === null) return reply(wechatError(40003, "invalid openid"));
    if (![0, 1, 2].includes(body.scene) || typeof body.client_ip !== "string" || body.client_ip === "") return reply(wechatError(47001, "data format error"));
    const scenario = riskScenarioOf(name);
    if (scenario.transport) return sendTransportFailure(req, res, scenario.transport, WECHAT_JSON, '{"errcode":0,"errmsg":"getuserriskrank succ","risk_ra');
    if (scenario.errcode !== undefined) return reply(wechatError(scenario.errcode, RISK_ERRMSGS[scenario.errcode] ?? "system error"));
    return reply({ errcode: 0, errmsg: "getuserriskrank succ", risk_rank: scenario.rank, unoin_id: Math.floor(Math.random() * 1e9) });
  }


  // ---- 网页授权 (公众号 H5 and 网站应用 扫码登录) ----------------------------------------------------

  function issueSnsToken(fields) {
    const token = { ...fields, value: randomBytes(48).toString("base64url"), expiresAt: Date.now() + SNS_TOKEN_TTL_SECONDS * 1000, expired: false };
    state.snsTokens.set(token.value, token);
    if (state.snsTokens.size > MAX_TOKENS) state.snsTokens.delete(state.snsTokens.keys().next().value);
    return token;
  }

  async function handleWebAccessToken(req, res, query) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const app = query.get("appid");
    const refusal = codeExchangeRefusal(query);
    if (refusal) return reply(refusal);
    const code = query.get("code");
    if (!code) return reply(wechatError(41008, "missing code"));

    const scenario = parseCode(code);
    const truncatedToken = '{"access_token":"';
    if (TRANSPORT_FAILURES.has(scenario.kind)) return sendTransportFailure(req, res, scenario.kind, WECHAT_JSON, truncatedToken);
    if (!claimCode(state.usedWebCodes, code)) return reply(wechatError(40163, "code been used"));
    if (CONSUMED_THEN_FAILED.has(scenario.kind)) {
      return sendTransportFailure(req, res, scenario.kind.slice("consumed_".length), WECHAT_JSON, truncatedToken);
    }
    if (scenario.kind !== "web") {
      const [errcode, errmsg] = WEB_CODE_ERRORS[scenario.kind] ?? INVALID_CODE;
      return reply(wechatError(errcode, errmsg));
    }

    const name = scenario.subject;
    // A snapshot page's user is a virtual account: an openid of its own each time, never a unionid.
    const openid = scenario.snapshot ? `osim_snapshot_${randomBytes(6).toString("hex")}` : openidOf(app, name);
    const unionid = !scenario.snapshot && scenario.scope !== "snsapi_base" && name.includes("union") ? `usim_${name}` : "";
    const refreshToken = randomBytes(48).toString("base64url");
    const token = issueSnsToken({ appId: app, openid, scope: scenario.scope, name, unionid, refreshToken, userinfoFailure: scenario.userinfoFailure ?? null });
    const answer = { access_token: token.value, expires_in: SNS_TOKEN_TTL_SECONDS, refresh_token: refreshToken, openid, scope: scenario.scope };
    if (scenario.snapshot) answer.is_snapshotuser = 1;
    if (unionid && scenario.unionidInToken) answer.unionid = unionid;
    return reply(answer);
  }

  function handleWebUserInfo(req, res, query) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const accessToken = query.get("access_token");
    if (!accessToken) return reply(wechatError(41001, "access_token missing"));
    const token = state.snsTokens.get(accessToken);
    if (!token) return reply(wechatError(40001, REJECTION_ERRMSGS[40001]));
    if (token.expired || Date.now() >= token.expiresAt) return reply(wechatError(42001, "access_token expired"));
    const openid = query.get("openid");
    if (!openid) return reply(wechatError(41009, "missing openid"));
    if (openid !== token.openid) return reply(wechatError(40003, "invalid openid"));
    if (token.scope === "snsapi_base") return reply(wechatError(48001, "api unauthorized"));
    if (token.userinfoFailure === "busy") return reply(wechatError(...SYSTEM_BUSY));
    if (token.userinfoFailure) return sendTransportFailure(req, res, token.userinfoFailure, WECHAT_JSON, '{"openid":"');
    const info = { openid, nickname: `sim_${token.name}`, sex: 0, province: "", city: "", country: "", headimgurl: "", privilege: [] };
    if (token.unionid) info.unionid = token.unionid;
    return reply(info);
  }

  // open.weixin.qq.com's authorize pages, where the browser goes: WeChat asks the user (the one set
  // through /__sim/authorize/user), then sends the browser back to redirect_uri?code=CODE&state=STATE.
  function handleAuthorize(req, res, query, body, path) {
    const refuse = (message) => send(res, 400, "text/html; charset=utf-8", `<html><body><p>${message}</p></body></html>`);
    if (!appsById.has(query.get("appid"))) return refuse("appid 参数错误");
    const redirectUri = query.get("redirect_uri");
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return refuse("redirect_uri 参数错误");
    if (query.get("response_type") !== "code") return refuse("response_type 参数错误");
    const scope = query.get("scope");
    if (!AUTHORIZE_SCOPES[path].includes(scope)) return refuse("Scope 参数错误或没有 Scope 权限");
    const user = state.authorizingUser;
    if (!user) return refuse("no WeChat user in this browser: POST /__sim/authorize/user first");
    const code = `${user.snapshot ? "snapshot" : CODE_PREFIX_OF_SCOPE[scope]}-${user.name}-${randomBytes(6).toString("hex")}`;
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    if (query.has("state")) back.searchParams.set("state", query.get("state"));
    res.writeHead(302, { Location: back.href, "Content-Length": 0 });
    res.end();
  }

  const wechatRoutes = {
    "GET /sns/jscode2session": { stat: "jscode2session", handle: handleJsCode2Session },
    "POST /cgi-bin/stable_token": { stat: "stable_token", handle: handleStableToken },
    "POST /wxa/business/getuserphonenumber": { stat: "getuserphonenumber", handle: handleGetUserPhoneNumber },
    "POST /wxa/getuserriskrank": { stat: "getuserriskrank", handle: handleGetUserRiskRank },
    "GET /sns/oauth2/access_token": { stat: "sns_oauth2_access_token", handle: handleWebAccessToken },
    "GET /sns/userinfo": { stat: "sns_userinfo", handle: handleWebUserInfo },
    "GET /connect/oauth2/authorize": { stat: "authorize", handle: handleAuthorize },
    "GET /connect/qrconnect": { stat: "authorize", handle: handleAuthorize },
  };

  // msgSecCheck and mediaCheckAsync (sim/content-security.mjs), behind the same access-token check.
  const contentSecurity = createContentSecurity({ appId, delay, wechatError });
  for (const [key, route] of Object.entries(contentSecurity.routes)) {
    wechatRoutes[key] = {
      stat: route.stat,
      handle(req, res, query, body) {
        const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
        const accessToken = query.get("access_token");
        if (!accessToken) return reply(wechatError(41001, "access_token missing"));
        const tokenErrcode = accessTokenErrcode(state.tokens.get(accessToken));
        if (tokenErrcode === 42001) return reply(wechatError(42001, "access_token expired"));
        if (tokenErrcode !== 0) return reply(wechatError(tokenErrcode, REJECTION_ERRMSGS[tokenErrcode]));
        return route.handle(body, { reply, fail: (kind) => sendTransportFailure(req, res, kind, WECHAT_JSON, '{"errcode":0,"errmsg":"ok","result":{"sugg') });
      },
    };
  }

  async function handleWechat(req, res, url) {
    const rawBody = req.method === "GET" || req.method === "HEAD" ? "" : await readBody(req);
    const body = parseJsonObject(rawBody);
    state.callLog.push({ path: url.pathname, method: req.method, query: Object.fromEntries(url.searchParams), body: body ?? null, at: Date.now() });
    if (state.callLog.length >= 2 * MAX_CALL_LOG) state.callLog = state.callLog.slice(-MAX_CALL_LOG);

    const route = wechatRoutes[`${req.method} ${url.pathname}`];
    if (!route) return send(res, 404, WECHAT_JSON, JSON.stringify(wechatError(-1, "not found")));
    state.stats[route.stat] += 1;
    const latency = latencySample(state.latencyMs);
    if (latency > 0) await delay(latency);
    return route.handle(req, res, url.searchParams, body, url.pathname);
  }

  // ---- control API ------------------------------------------------------------------------------

  async function handleControl(req, res, url) {
    const reply = (status, payload) => send(res, status, CONTROL_JSON, JSON.stringify(payload));
    const body = req.method === "POST" ? parseJsonObject(await readBody(req)) ?? {} : {};
    switch (`${req.method} ${url.pathname}`) {
      case "GET /__sim/health":
        return reply(200, { ok: true });
      case "POST /__sim/reset":
        resetState();
        contentSecurity.reset();
        return reply(200, { ok: true });
      case "POST /__sim/access-token/expire":
      case "POST /__sim/access-token/revoke": {
        if (body.appid !== undefined && !appsById.has(body.appid)) return reply(400, { ok: false, error: "appid is not one of the simulator's apps" });
        const mark = url.pathname.endsWith("/expire") ? "expired" : "revoked";
        for (const token of state.tokens.values()) if (body.appid === undefined || token.appId === body.appid) token[mark] = true;
        return reply(200, { ok: true });
      }
      case "POST /__sim/access-token/reject": {
        const app = body.appid ?? appId;
        if (!appsById.has(app)) return reply(400, { ok: false, error: "appid is not one of the simulator's apps" });
        if (!REJECTION_ERRCODES.has(body.errcode)) return reply(400, { ok: false, error: `errcode must be one of ${[...REJECTION_ERRCODES].join(", ")}` });
        if (body.times !== undefined && !(Number.isInteger(body.times) && body.times >= 1)) return reply(400, { ok: false, error: "times must be an integer >= 1" });
        currentAccessToken(app).rejection = { errcode: body.errcode, remaining: body.times };
        return reply(200, { ok: true });
      }
      case "POST /__sim/stable-token/mode":
        if (!STABLE_TOKEN_MODES.has(body.mode)) return reply(400, { ok: false, error: `mode must be one of ${[...STABLE_TOKEN_MODES].join(", ")}` });
        state.stableTokenMode = body.mode;
        return reply(200, { ok: true });
      case "POST /__sim/stable-token/forced-refreshes": {
        const app = body.appid ?? appId;
        if (!appsById.has(app)) return reply(400, { ok: false, error: "appid is not one of the simulator's apps" });
        if (!(Number.isInteger(body.used) && body.used >= 0)) return reply(400, { ok: false, error: "used must be an integer >= 0" });
        Object.assign(state.accessTokensOf.get(app).forcedRefreshes, { day: Math.floor((Date.now() + BEIJING_OFFSET_MS) / DAY_MS), used: body.used });
        return reply(200, { ok: true });
      }
      case "GET /__sim/sns-tokens":
        return reply(200, { tokens: [...state.snsTokens.values()].flatMap((token) => [token.value, token.refreshToken]) });
      case "POST /__sim/sns-token/expire":
        for (const token of state.snsTokens.values()) token.expired = true;
        return reply(200, { ok: true });
      case "POST /__sim/authorize/user":
        if (body.name === null) {
          state.authorizingUser = null;
          return reply(200, { ok: true });
        }
        if (typeof body.name !== "string" || !/^[A-Za-z0-9_]+$/.test(body.name)) return reply(400, { ok: false, error: "name must be [A-Za-z0-9_]+, or null" });
        if (body.snapshot !== undefined && typeof body.snapshot !== "boolean") return reply(400, { ok: false, error: "snapshot must be true or false" });
        state.authorizingUser = { name: body.name, snapshot: body.snapshot === true };
        return reply(200, { ok: true });
      case "POST /__sim/release":
        if (typeof body.code !== "string" || body.code === "") return reply(400, { ok: false, error: "code must be a non-empty string" });
        return reply(200, { ok: true, held: releaseCode(body.code) });
      case "POST /__sim/latency":
        if (!isLatency(body.ms)) return reply(400, { ok: false, error: "ms must be a number >= 0 or a [min, max] range" });
        state.latencyMs = body.ms;
        return reply(200, { ok: true });
      case "GET /__sim/calls": {
        const path = url.searchParams.get("path");
        const calls = state.callLog.slice(-MAX_CALL_LOG);
        return reply(200, { calls: path ? calls.filter((call) => call.path === path) : calls });
      }
      case "GET /__sim/stats":
        return reply(200, state.stats);
      default: {
        const answer = contentSecurity.control(req.method, url.pathname, body);
        return answer ? reply(answer.status, answer.payload) : reply(404, { ok: false, error: "unknown control endpoint" });
      }
    }
  }

  // ---- server -----------------------------------------------------------------------------------

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const url = new URL(req.url, "http://simulator");
    const handler = url.pathname.startsWith("/__sim/") ? handleControl : handleWechat;
    handler(req, res, url).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, 500, CONTROL_JSON, JSON.stringify(wechatError(-1, "simulator error")));
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const boundPort = server.address().port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    port: boundPort,
    // DevTools mode's development user, or null when the mode is off.
    devtoolsOpenid: devtools ? devtoolsOpenid(devtoolsDevice) : null,
    close() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // includes "hang" scenarios still waiting
      });
    },
  };
}

// ---- CLI ----------------------------------------------------------------------------------------

/** WECHAT_APPS as the hooks read it: [{appid, secret, kind}] → [{appId, secret}]. */
export function appsFromEnvironment(text) {
  if (!text || text.trim() === "") return [];
  const entries = JSON.parse(text);
  if (!Array.isArray(entries)) throw new Error("WECHAT_APPS must be a JSON list of {appid, secret, kind}");
  return entries.map(({ appid, secret }) => ({ appId: appid, secret }));
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      appid: { type: "string" },
      secret: { type: "string" },
      "latency-ms": { type: "string" },
      devtools: { type: "boolean" },
      "devtools-device": { type: "string" },
    },
  });
  const toNumber = (text, name) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got "${text}"`);
    return value;
  };
  const simulator = await startWechatSimulator({
    port: toNumber(values.port ?? process.env.WECHAT_SIM_PORT ?? 9300, "--port"),
    host: values.host ?? process.env.WECHAT_SIM_HOST ?? "127.0.0.1",
    appId: values.appid ?? process.env.WECHAT_APPID ?? "wx_sim_appid",
    secret: values.secret ?? process.env.WECHAT_SECRET ?? "sim_secret",
    apps: appsFromEnvironment(process.env.WECHAT_APPS),
    latencyMs: parseLatency(values["latency-ms"] ?? process.env.WECHAT_SIM_LATENCY_MS ?? DEFAULT_CLI_LATENCY),
    devtools: values.devtools ?? devtoolsModeFromEnv(process.env.WECHAT_SIM_DEVTOOLS),
    devtoolsDevice: values["devtools-device"] ?? process.env.WECHAT_SIM_DEVTOOLS_DEVICE ?? DEFAULT_DEVTOOLS_DEVICE,
  });
  console.log(`WeChat simulator listening on ${simulator.url}`);
  if (simulator.devtoolsOpenid) console.log(`DevTools mode: any wx.login code logs in as ${simulator.devtoolsOpenid}.`);
  const shutdown = () => simulator.close().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
