// npm run demo: walks a newcomer through the mini-program's calls against the running dev server
// (npm run dev; BAI_URL overrides http://127.0.0.1:8090): login → profile → refresh-token, then
// a second login as the returning user. Prints each request and answer; tokens are shortened.
// The WeChat codes are the simulator's (u-<name>-<nonce>, p-<digits>-<nonce>), fresh on every run.
import { randomBytes } from "node:crypto";

const baseUrl = (process.env.BAI_URL ?? "http://127.0.0.1:8090").replace(/\/+$/, "");
const runId = randomBytes(3).toString("hex");
const userName = `demo${runId}`; // the simulator answers openid "osim_<name>"
let nonce = 0;
const loginCode = () => `u-${userName}-${++nonce}`;
const phoneCode = (digits) => `p-${digits}-${runId}${++nonce}`;

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const shorten = (token) => (token.length > 24 ? `${token.slice(0, 12)}…${token.slice(-6)} (${token.length} chars)` : token);
const shortenTokens = (value) => JSON.parse(JSON.stringify(value, (_key, item) => (typeof item === "string" && JWT.test(item) ? shorten(item) : item)));
const indent = (text) => text.replace(/^/gm, "    ");
const HEADERS_OF_NOTE = ["content-type", "retry-after"];

async function call(title, path, { body, token } = {}) {
  console.log(`\n── ${title} ${"─".repeat(Math.max(4, 72 - title.length))}`);
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  console.log(`  → POST ${path}`);
  for (const [name, value] of Object.entries(headers)) console.log(`    ${name}: ${name === "authorization" ? `Bearer ${shorten(token)}` : value}`);
  if (body !== undefined) console.log(indent(JSON.stringify(body, null, 2)));

  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  console.log(`  ← ${response.status} ${response.statusText}   (${Math.round(performance.now() - started)} ms)`);
  for (const name of HEADERS_OF_NOTE) if (response.headers.has(name)) console.log(`    ${name}: ${response.headers.get(name)}`);
  let json;
  try {
    json = JSON.parse(text);
    console.log(indent(JSON.stringify(shortenTokens(json), null, 2)));
  } catch {
    console.log(indent(text));
  }
  if (!response.ok) {
    console.error(`\n${path} answered ${response.status}; the demo stops here.`);
    if (path === "/api/wechat/login" && response.status >= 500) {
      console.error("Is the server talking to the WeChat simulator? `npm run dev` sets that up (plain `npm start` does not).");
    }
    process.exit(1);
  }
  return json;
}

try {
  await fetch(`${baseUrl}/api/health`);
} catch {
  console.error(`Nothing answers at ${baseUrl}. Start the dev server first:  npm run dev   (or set BAI_URL)`);
  process.exit(1);
}

console.log(`BAI mini-program flow against ${baseUrl}, as WeChat user "${userName}"`);

const login = await call("1. Log in with the code from wx.login(): a new user is registered as 游客", "/api/wechat/login", {
  body: { users_wx_code: loginCode() },
});
await call("2. Complete the profile: the phone code from getPhoneNumber is exchanged with WeChat", "/api/wechat/profile", {
  token: login.token,
  body: { users_name: "张三", users_phone_code: phoneCode("13800138000"), users_picture: "https://example.com/avatar.png" },
});
const refreshed = await call("3. Renew the session with a token that is still valid", "/api/wechat/refresh-token", { token: login.token });
if (refreshed.token === login.token) {
  console.log("    (the same token as before: its claims hold the expiry in whole seconds, and both were issued within one second)");
}
await call("4. Log in again next time: the same openid, so login_success and the full profile", "/api/wechat/login", {
  body: { users_wx_code: loginCode() },
});

console.log(`
Done. The mini-program keeps the newest token and sends it as "Authorization: Bearer <token>".
Staff see user "${userName}" in the admin UI: ${baseUrl}/_/ → tbl_auth_users.`);
