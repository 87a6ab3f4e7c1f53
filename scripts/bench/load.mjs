// The load generator of the benchmark, run as its own process so that it does not share an event
// loop with the WeChat simulator. It fires one autocannon run described by the JSON in argv[2]
// ({url, scenario, context, connections, durationS}, the scenario a key of scenarios or
// growthScenarios in scenarios.mjs, or of pushScenarios in push.mjs) and
// prints one JSON line: requests, duration, status codes, socket errors and the latency (ms) of
// every response, which measure.mjs merges across rounds.
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import { pushScenarios } from "./push.mjs";
import { growthScenarios, scenarios } from "./scenarios.mjs";

const run = JSON.parse(process.argv[2]);
const scenario = scenarios[run.scenario] ?? growthScenarios[run.scenario] ?? pushScenarios[run.scenario];
const runTag = randomBytes(4).toString("hex");
let sent = 0;

// A push scenario builds its path (signed per request), or its whole request, in here too.
function nextRequest(req) {
  if (scenario.request) return { ...req, ...scenario.request(run.context, ++sent, runTag) };
  if (typeof scenario.path === "function") return { ...req, path: scenario.path(run.context, ++sent, runTag), body: scenario.rawBody?.(run.context, sent, runTag) };
  return scenario.body ? { ...req, body: JSON.stringify(scenario.body(run.context, ++sent, runTag)) } : req;
}

const request = {
  method: scenario.method,
  path: typeof scenario.path === "string" ? scenario.path : "/",
  headers: scenario.headers?.(run.context) ?? {},
  setupRequest: nextRequest,
};

const latenciesMs = [];
const instance = autocannon({ url: run.url, connections: run.connections, duration: run.durationS, timeout: 10, requests: [request] });
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
