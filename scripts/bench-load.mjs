// Load generator for scripts/bench.mjs, run as its own process so that it does not share an
// event loop with the WeChat simulator. It fires one autocannon run described by the JSON in
// argv[2] and prints one JSON line: requests, duration, status codes, socket errors and the
// latency (ms) of every response, which bench.mjs merges across rounds.
//
// Bodies that must differ per request (WeChat codes are single-use, and the backend refuses
// a repeated login code for 10 s) are built per request from a counter and a per-run tag.
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";

const spec = JSON.parse(process.argv[2]);
const runTag = randomBytes(4).toString("hex");
let sent = 0;

const bodyMakers = {
  none: () => undefined,
  // Same WeChat user every time: openid osim_<name>.
  loginExisting: ({ name }) => ({ users_wx_code: `u-${name}-${runTag}x${++sent}` }),
  // A WeChat user never seen before on every request.
  loginNew: () => ({ users_wx_code: `u-b${runTag}n${++sent}-1` }),
  profile: ({ name, phone, picture }) => ({ users_name: name, users_phone_code: `p-${phone}-${runTag}x${++sent}`, users_picture: picture }),
};
const makeBody = bodyMakers[spec.body?.kind ?? "none"];

const request = {
  method: spec.method,
  path: spec.path,
  headers: spec.headers ?? {},
  setupRequest: (req) => {
    const body = makeBody(spec.body ?? {});
    return body === undefined ? req : { ...req, body: JSON.stringify(body) };
  },
};

const latenciesMs = [];
const instance = autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationS,
  timeout: 10,
  requests: [request],
});
instance.on("response", (_client, _statusCode, _bytes, responseTimeMs) => latenciesMs.push(Math.round(responseTimeMs * 100) / 100));

const result = await instance;
process.stdout.write(
  JSON.stringify({
    requests: latenciesMs.length,
    durationS: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    non2xx: result.non2xx,
    socketErrors: result.errors, // includes timeouts
    latenciesMs,
  }) + "\n",
);
