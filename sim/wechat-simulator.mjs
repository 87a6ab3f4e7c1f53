// WeChat mini-program server simulator, for end-to-end tests, benchmarks and local demos.
//
// It speaks WeChat's real paths, parameters, errcodes and content types:
//   GET  /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code   (answers text/plain)
//   POST /cgi-bin/stable_token                       {"grant_type":"client_credential","appid","secret","force_refresh"}
//   POST /wxa/business/getuserphonenumber?access_token=TOKEN   {"code":"..."}
//   POST /wxa/msg_sec_check, /wxa/media_check_async          content security: see sim/content-security.mjs
//
// The scenario is chosen by the VALUE of the code the client sends. Codes use only [A-Za-z0-9_-],
// with "-" as separator; a trailing "-<nonce>" keeps each code unique (codes are single-use).
//
//   login code (js_code)            phone code                    answer
//   u-<name>-<nonce>                p-<digits>-<nonce>            success: openid "osim_<name>" (+ unionid "usim_<name>"
//                                                                 when <name> contains "union") / phone number <digits>
//   slow-<ms>-<name>-<nonce>        slow-<ms>-<digits>-<nonce>    success after <ms> ms (max 60000)
//   invalid-...                     invalid-...                   errcode 40029 "invalid code"
//   blocked-...                     -                             errcode 40226 "code blocked" (high-risk user)
//   ratelimit-...                   ratelimit-...                 errcode 45011 "api minute-quota reach limit ..."
//   busy-...                        busy-...                      errcode -1 "system error"
//   http500-...                     http500-...                   HTTP 500 with an HTML body
//   garbage-...                     garbage-...                   HTTP 200, body "<html>not json"
//   truncated-...                   truncated-...                 HTTP 200, cut-off JSON body
//   reset-...                       reset-...                     socket destroyed without an answer
//   hang-...                        hang-...                      never answers
//   anything else                   anything else                 errcode 40029 "invalid code"
//
// Reusing a code that got a WeChat answer (success or errcode) gives 40163 "code been used" for login
// codes and 40029 "invalid code" for phone codes. The transport failures (http500, garbage, truncated,
// reset, hang) do not consume the code, so a retry gets the same failure.
//
// Control API (JSON, never delayed by the simulated latency):
//   POST /__sim/reset                  forget used codes, calls, tokens, modes; latency back to its start value
//   POST /__sim/access-token/expire    every issued access_token now answers 42001
//   POST /__sim/access-token/revoke    every issued access_token now answers 40001
//   POST /__sim/stable-token/mode      {"mode":"ok"|"busy"|"ratelimit"|"http500"|"garbage"|"truncated"|"reset"|"hang"}
//   POST /__sim/latency                {"ms":100}  delay every WeChat answer
//   GET  /__sim/calls[?path=/sns/jscode2session]   {"calls":[{path,method,query,body,at}]} (last 10k)
//   GET  /__sim/stats                  {"jscode2session":n,"stable_token":n,"getuserphonenumber":n}
//   GET  /__sim/health                 {"ok":true}
//
// CLI: node sim/wechat-simulator.mjs [--port 9300] [--host 127.0.0.1] [--appid wx_sim_appid]
//      [--secret sim_secret] [--latency-ms 0]  (env: WECHAT_SIM_PORT, WECHAT_SIM_HOST, WECHAT_APPID,
//      WECHAT_SECRET, WECHAT_SIM_LATENCY_MS)

import http from "node:http";
import { randomBytes } from "node:crypto";
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

const INVALID_CODE = [40029, "invalid code"];
const RATE_LIMITED = [45011, "api minute-quota reach limit mustslower retry next minute"];
const SYSTEM_BUSY = [-1, "system error"];
const LOGIN_CODE_ERRORS = { invalid: INVALID_CODE, blocked: [40226, "code blocked"], ratelimit: RATE_LIMITED, busy: SYSTEM_BUSY };
const PHONE_CODE_ERRORS = { invalid: INVALID_CODE, ratelimit: RATE_LIMITED, busy: SYSTEM_BUSY };
const TRANSPORT_FAILURES = new Set(["http500", "garbage", "truncated", "reset", "hang"]);
const STABLE_TOKEN_MODES = new Set(["ok", "busy", "ratelimit", ...TRANSPORT_FAILURES]);

const wechatError = (errcode, errmsg) => ({ errcode, errmsg });

/** Reads the scenario out of a code, e.g. "u-alice-1" → { kind: "user", subject: "alice" }. */
function parseCode(code) {
  if (!/^[A-Za-z0-9_-]+$/.test(code)) return { kind: "unknown" };
  let match;
  if ((match = /^u-([A-Za-z0-9_]+)(-|$)/.exec(code))) return { kind: "user", subject: match[1] };
  if ((match = /^p-(\d+)(-|$)/.exec(code))) return { kind: "phone", subject: match[1] };
  if ((match = /^slow-(\d+)-([A-Za-z0-9_]+)(-|$)/.exec(code))) {
    return { kind: "slow", delayMs: Math.min(Number(match[1]), MAX_SLOW_MS), subject: match[2] };
  }
  const dash = code.indexOf("-");
  const prefix = dash === -1 ? code : code.slice(0, dash);
  if (Object.hasOwn(LOGIN_CODE_ERRORS, prefix) || TRANSPORT_FAILURES.has(prefix)) return { kind: prefix };
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
  latencyMs = 0,
  accessTokenTtlSeconds = 7200,
} = {}) {
  const state = {};
  function resetState() {
    state.latencyMs = latencyMs;
    state.usedLoginCodes = new Set();
    state.usedPhoneCodes = new Set();
    state.tokens = new Map(); // access_token → { value, expiresAt, expired, revoked }
    state.currentToken = null;
    state.stableTokenMode = "ok";
    state.callLog = [];
    state.stats = { jscode2session: 0, stable_token: 0, getuserphonenumber: 0, msg_sec_check: 0, media_check_async: 0 };
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

  // ---- access tokens ----------------------------------------------------------------------------

  function issueAccessToken() {
    const token = { value: randomBytes(48).toString("base64url"), expiresAt: Date.now() + accessTokenTtlSeconds * 1000, expired: false, revoked: false };
    state.tokens.set(token.value, token);
    if (state.tokens.size > MAX_TOKENS) state.tokens.delete(state.tokens.keys().next().value);
    state.currentToken = token;
    return token;
  }

  function accessTokenStatus(token) {
    if (!token || token.revoked) return "invalid";
    if (token.expired || Date.now() >= token.expiresAt) return "expired";
    return "valid";
  }

  // ---- WeChat endpoints -------------------------------------------------------------------------

  async function handleJsCode2Session(req, res, query) {
    const reply = (payload) => send(res, 200, TEXT_PLAIN, JSON.stringify(payload));
    if (query.get("appid") !== appId) return reply(wechatError(40013, "invalid appid"));
    if (query.get("secret") !== secret) return reply(wechatError(40125, "invalid appsecret"));
    if (query.get("grant_type") !== "authorization_code") return reply(wechatError(40002, "invalid grant_type"));
    const code = query.get("js_code");
    if (!code) return reply(wechatError(41008, "missing code"));

    const scenario = parseCode(code);
    if (TRANSPORT_FAILURES.has(scenario.kind)) {
      return sendTransportFailure(req, res, scenario.kind, TEXT_PLAIN, '{"openid":"o');
    }
    if (!claimCode(state.usedLoginCodes, code)) return reply(wechatError(40163, "code been used"));

    if (scenario.kind === "slow") await delay(scenario.delayMs);
    if (scenario.kind === "user" || scenario.kind === "slow") {
      const name = scenario.subject;
      const session = { openid: `osim_${name}`, session_key: randomBytes(16).toString("base64") };
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
    if (body.appid !== appId) return reply(wechatError(40013, "invalid appid"));
    if (body.secret !== secret) return reply(wechatError(40125, "invalid appsecret"));
    if (body.grant_type !== "client_credential") return reply(wechatError(40002, "invalid grant_type"));
    if (mode === "busy") return reply(wechatError(-1, "system error"));
    if (mode === "ratelimit") return reply(wechatError(45009, "reach max api daily quota limit"));

    // Like the real stable_token: the same token while it is valid; force_refresh replaces it.
    if (body.force_refresh === true && state.currentToken) state.currentToken.revoked = true;
    let token = state.currentToken;
    if (accessTokenStatus(token) !== "valid") token = issueAccessToken();
    const expiresIn = Math.ceil((token.expiresAt - Date.now()) / 1000);
    return reply({ access_token: token.value, expires_in: expiresIn });
  }

  async function handleGetUserPhoneNumber(req, res, query, body) {
    const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
    const accessToken = query.get("access_token");
    if (!accessToken) return reply(wechatError(41001, "access_token missing"));
    const tokenStatus = accessTokenStatus(state.tokens.get(accessToken));
    if (tokenStatus === "invalid") return reply(wechatError(40001, "invalid credential, access_token is invalid or not latest"));
    if (tokenStatus === "expired") return reply(wechatError(42001, "access_token expired"));
    if (!body) return reply(wechatError(47001, "data format error"));
    const code = body.code;
    if (typeof code !== "string" || code === "") return reply(wechatError(41008, "missing code"));

    const scenario = parseCode(code);
    if (TRANSPORT_FAILURES.has(scenario.kind)) {
      return sendTransportFailure(req, res, scenario.kind, WECHAT_JSON, '{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"1');
    }
    if (!claimCode(state.usedPhoneCodes, code)) return reply(wechatError(40029, "invalid code"));

    const isPhoneSuccess = scenario.kind === "phone" || (scenario.kind === "slow" && /^\d+$/.test(scenario.subject));
    if (scenario.kind === "slow" && isPhoneSuccess) await delay(scenario.delayMs);
    if (isPhoneSuccess) {
      const phoneNumber = scenario.subject;
      const watermark = { timestamp: Math.floor(Date.now() / 1000), appid: appId };
      return reply({ errcode: 0, errmsg: "ok", phone_info: { phoneNumber, purePhoneNumber: phoneNumber, countryCode: "86", watermark } });
    }
    const [errcode, errmsg] = PHONE_CODE_ERRORS[scenario.kind] ?? INVALID_CODE;
    return reply(wechatError(errcode, errmsg));
  }

  const wechatRoutes = {
    "GET /sns/jscode2session": { stat: "jscode2session", handle: handleJsCode2Session },
    "POST /cgi-bin/stable_token": { stat: "stable_token", handle: handleStableToken },
    "POST /wxa/business/getuserphonenumber": { stat: "getuserphonenumber", handle: handleGetUserPhoneNumber },
  };

  // msgSecCheck and mediaCheckAsync (sim/content-security.mjs), behind the same access-token check.
  const contentSecurity = createContentSecurity({ appId, delay });
  for (const [key, route] of Object.entries(contentSecurity.routes)) {
    wechatRoutes[key] = {
      stat: route.stat,
      handle(req, res, query, body) {
        const reply = (payload) => send(res, 200, WECHAT_JSON, JSON.stringify(payload));
        const accessToken = query.get("access_token");
        if (!accessToken) return reply(wechatError(41001, "access_token missing"));
        const tokenStatus = accessTokenStatus(state.tokens.get(accessToken));
        if (tokenStatus === "invalid") return reply(wechatError(40001, "invalid credential, access_token is invalid or not latest"));
        if (tokenStatus === "expired") return reply(wechatError(42001, "access_token expired"));
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
    if (state.latencyMs > 0) await delay(state.latencyMs);
    return route.handle(req, res, url.searchParams, body);
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
        for (const token of state.tokens.values()) token.expired = true;
        return reply(200, { ok: true });
      case "POST /__sim/access-token/revoke":
        for (const token of state.tokens.values()) token.revoked = true;
        return reply(200, { ok: true });
      case "POST /__sim/stable-token/mode":
        if (!STABLE_TOKEN_MODES.has(body.mode)) return reply(400, { ok: false, error: `mode must be one of ${[...STABLE_TOKEN_MODES].join(", ")}` });
        state.stableTokenMode = body.mode;
        return reply(200, { ok: true });
      case "POST /__sim/latency":
        if (!Number.isFinite(body.ms) || body.ms < 0) return reply(400, { ok: false, error: "ms must be a number >= 0" });
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

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      appid: { type: "string" },
      secret: { type: "string" },
      "latency-ms": { type: "string" },
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
    latencyMs: toNumber(values["latency-ms"] ?? process.env.WECHAT_SIM_LATENCY_MS ?? 0, "--latency-ms"),
  });
  console.log(`WeChat simulator listening on ${simulator.url}`);
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
