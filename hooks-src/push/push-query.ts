// The query of a request to the push endpoint, taken before PocketBase's checks can answer it.
// PocketBase's request log keeps each request's URL (apis/middlewares.go, logRequest, reads
// e.Request.URL after the route has run), and in 明文模式 a push's signature does not cover its
// body: a signature read from the log, or from the console in dev mode, would sign any body for
// the rest of the 300 s window. So the signatures are blanked in the URL itself, first thing,
// and the route reads the query kept here. (Every signature that verifies is used up as well,
// push-nonces.ts, so a logged one would be worthless anyway; this keeps them out altogether.)
import type { PushQuery } from "./push-requests";

const QUERY_KEY = "bai.pushQuery";
const PARAMETERS = ["signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type"];
const SIGNATURES = ["signature", "msg_signature"];

export function takePushQuery(e: core.RequestEvent): void {
  const url = e.request!.url!;
  const values = url.query();
  const query: PushQuery = {};
  for (const name of PARAMETERS) query[name] = values.get(name);
  e.set(QUERY_KEY, JSON.stringify(query));
  const signed = SIGNATURES.filter((name) => values.has(name));
  if (signed.length === 0) return;
  for (const name of signed) values.set(name, "-");
  url.rawQuery = values.encode();
}

export function pushQueryOf(e: core.RequestEvent): PushQuery {
  const kept = e.get(QUERY_KEY);
  if (typeof kept !== "string") throw new Error("takePushQuery did not run before the push route");
  return JSON.parse(kept) as PushQuery;
}
