// Our contract's envelope: {code, msg, data}, and on a failure also its identifier `error` and
// `message` (msg again, where PocketBase's own clients look for it). Every handler answers
// through here, in the request's language (Accept-Language, languages/accept-language.ts).
//
// The body is serialized here, not by e.json: PocketBase marshals the Go map a JS object turns
// into with encoding/json/v2, which writes a map's keys in Go's random map order, so the same
// answer came with its keys shuffled. JSON.stringify keeps the order the object was built in.
import { ApiFailure, failures, type FailureData, type FieldProblems } from "../errors";
import { DEFAULT_LANGUAGE, languageOf, type Language } from "../languages/accept-language";
import { errorMessageIn, fieldMessageIn, successMessage } from "../languages/messages";
import { isWechatError, apiFailureForWechatError } from "../wechat/errors";
import { logError } from "../log";
import { requestHeaderOf } from "./request-memo";

export function sendOk(e: core.RequestEvent, msg: string, data: object): void {
  sendOkJson(e, msg, JSON.stringify(data));
}

// sendOk for a route that writes its data's JSON itself (health checks, polled all day): the same
// bytes, without goja's JSON.stringify walking the envelope, a fifth of such a request's JS.
export function sendOkJson(e: core.RequestEvent, msg: string, dataJson: string): void {
  const language = requestedLanguage(e);
  sendJson(e, 200, `${okOpening(msg, language)}${dataJson}}`, language);
}

// The envelope up to its data, for each success message (all literals) in each language: the same
// text every time, so each VM writes it once.
const okOpenings = new Map<string, string>();

function okOpening(msg: string, language: Language): string {
  const key = `${language} ${msg}`;
  let opening = okOpenings.get(key);
  if (opening === undefined) {
    opening = `{"code":200,"msg":${JSON.stringify(successMessage(msg, language))},"data":`;
    okOpenings.set(key, opening);
  }
  return opening;
}

export function sendFailure(e: core.RequestEvent, failure: ApiFailure): void {
  const language = requestedLanguage(e);
  const msg = errorMessageIn(language, failure.error, failure.msg);
  sendJson(e, failure.status, JSON.stringify({ code: failure.status, error: failure.error, msg, message: msg, data: dataIn(failure.data, language) }), language);
}

// The language the request asks its answer in. Several Accept-Language headers are one list (RFC 9110 §5.3).
// A client sends the same header every time: each VM remembers the last one it read.
let lastAcceptLanguage = "";
let lastLanguage: Language = DEFAULT_LANGUAGE;

export function requestedLanguage(e: core.RequestEvent): Language {
  const values = requestHeaderOf(e).values("Accept-Language");
  const count = values.length;
  const header = count === 0 ? "" : count === 1 ? values[0] : values.join(",");
  if (header !== lastAcceptLanguage) {
    lastLanguage = languageOf(header);
    lastAcceptLanguage = header;
  }
  return lastLanguage;
}

// The answer says its language, and that it depends on Accept-Language (RFC 9110 §8.5, §12.5.5).
// Each call into Go costs a few microseconds, so the headers are set through one http.Header.
export function sayLanguage(header: http.Header, language: Language): void {
  header.set("Content-Language", language);
  header.add("Vary", "Accept-Language");
}

// Field problems in the request's language; consent documents (a 409 or 428) as they are.
function dataIn(data: FailureData, language: Language): object {
  return "documents" in data && Array.isArray(data.documents) ? data : fieldProblemsIn(data as FieldProblems, language);
}

function fieldProblemsIn(problems: FieldProblems, language: Language): Record<string, { code: string; message: string }> {
  const rendered: Record<string, { code: string; message: string }> = {};
  for (const field of Object.keys(problems)) {
    const { code, message } = problems[field];
    rendered[field] = { code, message: fieldMessageIn(language, code, message) };
  }
  return rendered;
}

// e.blob sets the Content-Type itself: one call into Go fewer than setting it here.
function sendJson(e: core.RequestEvent, status: number, json: string, language: Language): void {
  sayLanguage(e.response.header(), language);
  e.blob(status, "application/json", json);
}

function sayJsonIn(response: http.ResponseWriter, language: Language): void {
  const header = response.header();
  header.set("Content-Type", "application/json");
  sayLanguage(header, language);
}

// A JSON body written in parts, some of them JSON that Go made (a record's marshalJSON): those go
// out as Go's bytes. Made into one JS string (JSON.stringify of a record also writes its MarshalJSON),
// a body with any non-ASCII text in it (a Chinese msg, a user's name) is held as UTF-16, and all of
// it was encoded again on the way out: a refresh cost 34 k instructions more that way.
export function sendJsonParts(e: core.RequestEvent, status: number, parts: ReadonlyArray<string | Array<number>>, language: Language): void {
  const response = e.response;
  sayJsonIn(response, language);
  response.writeHeader(status);
  for (let i = 0; i < parts.length; i++) response.write(parts[i]);
}

// Runs a handler and renders whatever it throws. Unknown errors are logged (redacted)
// and answered as a bare 500: no message or stack of theirs reaches the client.
// The handler gets e, so that a route may pass a function of its module instead of a closure.
export function answer(e: core.RequestEvent, handler: (e: core.RequestEvent) => void, wechatCodeField = ""): void {
  try {
    handler(e);
  } catch (error) {
    if (error instanceof ApiFailure) return sendFailure(e, error);
    if (isWechatError(error)) {
      const failure = apiFailureForWechatError(error, wechatCodeField);
      if (failure.status >= 500) logError(`WeChat call failed on ${e.request?.url?.path}`, error);
      return sendFailure(e, failure);
    }
    logError(`Unexpected error on ${e.request?.url?.path}`, error);
    sendFailure(e, failures.internal());
  }
}

// Our WeChat routes run as a middleware just outside PocketBase's rate limiter: e.next()
// runs the checks PocketBase makes after ours begin, the rate limiter (429) and the route's
// $apis.bodyLimit on a declared Content-Length (413), whose refusals get our envelope instead
// of PocketBase's {status, message, data}. Returns true when the request got through.
// The route's registered handler is empty; doing the work here keeps one VM per request.
export function passedPocketBaseChecks(e: core.RequestEvent, maxBodyBytes: number): boolean {
  try {
    e.next();
  } catch (error) {
    if (e.written()) throw error;
    const status = (error as { value?: { status?: unknown } }).value?.status;
    if (status === 429) sendFailure(e, failures.rateLimited());
    else if (status === 413) sendFailure(e, failures.payloadTooLarge(maxBodyBytes));
    else {
      logError(`PocketBase refused ${e.request?.url?.path}`, error);
      sendFailure(e, failures.internal());
    }
    return false;
  }
  return !e.written();
}
