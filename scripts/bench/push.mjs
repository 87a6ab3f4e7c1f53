// What a WeChat push costs PocketBase (npm run bench, or --only=push): CPU per request of
// POST /api/wechat/push in 安全模式, at the largest body the route accepts (64 KB) for the
// refusals, and for a verdict as WeChat sends it. An attacker without the token can only send
// the first row: what it costs bounds what the rate limit lets one IP burn.
//
// measurePush measures; pushText and pushMarkdown word the figures for report.mjs.
import { randomBytes } from "node:crypto";
import { encryptPushMessage, mediaCheckEvent, pushSignature } from "../../sim/wechat-push.mjs";

export const PUSH_CONNECTIONS = 4;
const PUSH_TOKEN = "benchPushToken";
const PUSH_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const MAX_PUSH_BODY_BYTES = 64 * 1024; // hooks-src/routes/wechat-push.ts
const json = { "content-type": "application/json" };
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

// A body of exactly MAX_PUSH_BODY_BYTES whose Encrypt is well-formed base64 (of no message).
let largest = "";
function largestBody() {
  const envelope = (toUserName, encrypt) => JSON.stringify({ ToUserName: toUserName, Encrypt: encrypt });
  const room = MAX_PUSH_BODY_BYTES - envelope("gh_bench", "").length;
  largest ||= envelope("gh_bench" + "0".repeat(room % 4), "QUJD".repeat(Math.floor(room / 4)));
  return largest;
}

const pushPath = (query) => `/api/wechat/push?${new URLSearchParams(query)}`;
const freshNonce = (n, runTag) => `${runTag}${n}`;

// Scenarios in the shape of scenarios.mjs, with `path` built per request in the load process.
export const pushScenarios = {
  pushForged: {
    label: "push refused: forged signatures, 64 KB body",
    method: "POST",
    headers: () => json,
    path: (_, n, runTag) => {
      const forged = randomBytes(20).toString("hex");
      return pushPath({ signature: forged, timestamp: nowSeconds(), nonce: freshNonce(n, runTag), encrypt_type: "aes", msg_signature: forged });
    },
    rawBody: () => largestBody(),
  },
  pushForgedMessageSignature: {
    // Only WeChat (or whoever holds the token) can sign the URL: the most a refusal can cost.
    label: "push refused: URL signed, forged msg_signature, 64 KB body",
    method: "POST",
    headers: () => json,
    path: ({ token }, n, runTag) => {
      const [timestamp, nonce] = [nowSeconds(), freshNonce(n, runTag)];
      return pushPath({ signature: pushSignature(token, timestamp, nonce), timestamp, nonce, encrypt_type: "aes", msg_signature: randomBytes(20).toString("hex") });
    },
    rawBody: () => largestBody(),
  },
  pushAccepted: {
    label: "push accepted: a media check verdict (about 1 KB)",
    method: "POST",
    headers: () => json,
    request: ({ token, encodingAesKey, appId }, n, runTag) => {
      const [timestamp, nonce] = [nowSeconds(), freshNonce(n, runTag)];
      const event = mediaCheckEvent({ appId, openid: "osim_bench", traceId: `bench-${runTag}-${n}`, suggest: "pass" });
      const encrypted = encryptPushMessage(JSON.stringify(event), encodingAesKey, appId);
      const query = { signature: pushSignature(token, timestamp, nonce), timestamp, nonce, encrypt_type: "aes", msg_signature: pushSignature(token, timestamp, nonce, encrypted) };
      return { path: pushPath(query), body: JSON.stringify({ ToUserName: "gh_bench00000000", Encrypt: encrypted }) };
    },
  },
};

// run: what measure.mjs hands every part. Returns {connections, durationS, rounds, rows}.
export async function measurePush(run) {
  const { settings, log, start, env } = run;
  const durationS = settings.featureDurationS;
  const rounds = settings.featureRounds;
  log(`WeChat push in 安全模式: ${PUSH_CONNECTIONS} connections, ${rounds} rounds of ${durationS} s`);
  const instance = await start(undefined, {}, { env: { WECHAT_PUSH_TOKEN: PUSH_TOKEN, WECHAT_PUSH_AES_KEY: PUSH_AES_KEY } });
  const context = { token: PUSH_TOKEN, encodingAesKey: PUSH_AES_KEY, appId: env.WECHAT_APPID };
  const runs = Object.keys(pushScenarios).map((key) => ({ key, scenarioKey: key, instance, context, connections: PUSH_CONNECTIONS }));
  for (const entry of runs) await run.runLoad(entry, 1); // warm-up
  const samples = new Map(runs.map(({ key }) => [key, []]));
  for (let round = 0; round < rounds; round++) {
    for (const entry of round % 2 === 0 ? runs : [...runs].reverse()) samples.get(entry.key).push(await run.runLoad(entry, durationS));
  }
  const rows = runs.map(({ key }) => {
    const summary = run.summarize(samples.get(key));
    log(`  ${pushScenarios[key].label.padEnd(58)} ${summary.cpuMsPerRequest.toFixed(2)} ms CPU, ${Math.round(summary.rps)} req/s, ${statusesOf(summary)}`);
    return { key, label: pushScenarios[key].label, ...summary };
  });
  await instance.stop();
  instance.remove();
  return { connections: PUSH_CONNECTIONS, durationS, rounds, rows };
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const statusesOf = ({ statusCodes, socketErrors }) =>
  Object.entries(statusCodes)
    .map(([code, count]) => `${count}× ${code}`)
    .concat(socketErrors > 0 ? [`${socketErrors}× socket`] : [])
    .join(", ");

export function pushText({ push }) {
  if (!push) return ["WeChat push not measured in this run (`npm run bench -- --only=push`)."];
  return push.rows.map((row) => `${row.label}: ${fmt(row.cpuMsPerRequest)} ms CPU per request, p50 ${fmt(row.p50Ms)} ms, ${Math.round(row.rps)} req/s (${statusesOf(row)})`);
}

export function pushMarkdown({ push }) {
  if (!push) return "Not measured in this run (`npm run bench -- --only=push`).";
  return [
    `POST /api/wechat/push in 安全模式, ${push.rounds} rounds of ${push.durationS} s at ${push.connections} connections, a fresh nonce on every request. ` +
      "A refusal is what anyone can send: its CPU at the largest body the route accepts, times what the rate limit lets through, is what one IP can burn. " +
      "The URL signature is checked before the body is read, so only a request signed with the token reaches the SHA-1 over `Encrypt`." +
      (push.measuredAt ? ` Measured in a run of its own (\`--only=push\`) on ${push.measuredAt.slice(0, 16).replace("T", " ")} UTC.` : ""),
    "",
    "| push | PB CPU ms/req | p50 ms | p99 ms | req/s | answers |",
    "|---|---:|---:|---:|---:|---|",
    ...push.rows.map((row) => `| ${row.label} | ${fmt(row.cpuMsPerRequest)} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${fmt(row.rps, 0)} | ${statusesOf(row)} |`),
  ].join("\n");
}
