// Validates real responses against spec/openapi.yaml: the response body must match the
// schema of its (path, method, status) entry, and undocumented statuses fail.
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { errorMessages, fieldMessages, successMessages, fieldCodeOf, paramsIn, type Message } from "../../hooks-src/languages/messages";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import type { ApiResponse } from "./api";

export const spec = parse(readFileSync(join(projectRoot, "spec/openapi.yaml"), "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...spec, $id: "openapi.json" });

function resolve(node: any): any {
  while (node && typeof node.$ref === "string") {
    const path = node.$ref.replace(/^#\//, "").split("/").map((part: string) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    node = path.reduce((current: any, key: string) => current?.[key], spec);
  }
  return node;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

// The spec's path for a URL path: itself, or the template it fills ("/api/wechat/records/{collection}/{id}").
function specPathOf(urlPath: string): string {
  if (spec.paths?.[urlPath]) return urlPath;
  const templates = Object.keys(spec.paths ?? {}).filter((template) => template.includes("{"));
  return templates.find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(urlPath)) ?? urlPath;
}

export function contractProblems(urlPath: string, method: string, response: ApiResponse): string[] {
  const problems = schemaProblems(urlPath, method, response);
  return problems.length > 0 ? problems : envelopeProblems(response);
}

function schemaProblems(urlPath: string, method: string, response: ApiResponse): string[] {
  const path = specPathOf(urlPath);
  const operation = spec.paths?.[path]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${path} is not in the spec`];
  const status = String(response.status);
  const documented = resolve(operation.responses?.[status]);
  if (!documented) return [`${method} ${path} answered ${status}, which the spec does not document`];
  const media = documented.content?.["application/json"];
  if (!media?.schema) return [];
  if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) return ["content-type is not application/json"];
  // Validate through a $ref into the spec, so that nested $refs resolve.
  let schemaRef = `openapi.json#/${pointer("paths", path, method.toLowerCase(), "responses", status)}/content/application~1json/schema`;
  if (operation.responses[status].$ref) schemaRef = `openapi.json#/${operation.responses[status].$ref.slice(2)}/content/application~1json/schema`;
  const validate = ajv.getSchema(schemaRef);
  if (!validate) return [`cannot compile the schema at ${schemaRef}`];
  if (validate(response.body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(body)"} ${error.message} ${JSON.stringify(error.params)}`);
}

const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null && !Array.isArray(value);

const FAILURE_KEYS = ["code", "error", "msg", "message", "data"];
const SUCCESS_KEYS = ["code", "msg", "data"];
const AUTH_KEYS = ["meta", "record", "token"];

// What the schema can't say of an answer in our envelope (a login's included, in its meta):
// it says its language in Content-Language and Vary; a failure has an identifier whose message,
// in that language, is msg and message, and field problems whose messages are their codes'; a
// success message is one of the catalog's; the keys come in one order.
export function envelopeProblems(response: Pick<ApiResponse, "status" | "headers" | "body">): string[] {
  const { body } = response;
  const isAuth = isObject(body) && isObject(body.meta) && typeof body.token === "string";
  const envelope = isAuth ? body.meta : body;
  // Not ours: PocketBase's own answers, on the records route.
  if (!isObject(envelope) || typeof envelope.code !== "number") return [];
  const problems: string[] = [];
  const language = response.headers.get("content-language");
  if (language !== "zh-CN" && language !== "en") return [`Content-Language is ${language}, not zh-CN or en`];
  if (!/\baccept-language\b/i.test(response.headers.get("vary") ?? "")) problems.push("no Vary: Accept-Language");
  if (response.status >= 400) {
    problems.push(...failureProblems(envelope, language));
    if (Object.keys(envelope).join() !== FAILURE_KEYS.join()) problems.push(`keys ${Object.keys(envelope)} are not in the order ${FAILURE_KEYS}`);
  } else {
    const known = language === "zh-CN" ? Object.hasOwn(successMessages(), envelope.msg) : Object.values(successMessages()).includes(envelope.msg);
    if (!known) problems.push(`success message "${envelope.msg}" is not a ${language} one of successCatalog in hooks-src/languages/messages.ts`);
    if (Object.keys(envelope).join() !== SUCCESS_KEYS.join()) problems.push(`keys ${Object.keys(envelope)} are not in the order ${SUCCESS_KEYS}`);
    if (isAuth && Object.keys(body).join() !== AUTH_KEYS.join()) problems.push(`keys ${Object.keys(body)} are not in the order ${AUTH_KEYS}`);
  }
  problems.push(...keyOrderProblems(body));
  return problems;
}

function failureProblems(body: Record<string, any>, language: "zh-CN" | "en"): string[] {
  const problems: string[] = [];
  // One identifier may have several messages (errorCatalog's id.variant keys).
  const messages = Object.entries(errorMessages() as Record<string, Message>).filter(([key]) => fieldCodeOf(key) === body.error).map(([, message]) => message);
  if (typeof body.error !== "string") problems.push("a failure without its error identifier");
  else if (messages.length === 0) problems.push(`error ${body.error} has no message in hooks-src/languages/messages.ts errorCatalog`);
  else if (!messages.some((message) => paramsIn(message[language], body.msg))) problems.push(`msg "${body.msg}" is not a ${language} message of ${body.error}`);
  if (body.message !== body.msg) problems.push(`message "${body.message}" is not msg "${body.msg}"`);
  // A consent 409/428 carries the documents to agree to, not field problems.
  const fieldProblems = isObject(body.data) && !Array.isArray(body.data.documents) ? body.data : {};
  for (const [field, problem] of Object.entries(fieldProblems)) {
    const candidates = Object.entries(fieldMessages() as Record<string, Message>).filter(([key]) => fieldCodeOf(key) === problem?.code);
    if (!candidates.some(([, text]) => paramsIn(text[language], problem.message))) {
      problems.push(`data.${field}: "${problem?.message}" is not a ${language} message of ${problem?.code} in hooks-src/languages/messages.ts fieldCatalog`);
    }
  }
  return problems;
}

// Every object with the same keys, anywhere in any answer a test file sees, has them in the same
// order: PocketBase's e.json used to write a JS object's keys in Go's random map order.
const keyOrders = new Map<string, string>();

function keyOrderProblems(value: unknown, path = "(body)"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => keyOrderProblems(item, `${path}[${index}]`));
  if (!isObject(value)) return [];
  const order = Object.keys(value).join();
  const set = Object.keys(value).sort().join();
  const seen = keyOrders.get(set);
  const problems = seen !== undefined && seen !== order ? [`${path} has its keys in the order ${order}, another answer had ${seen}`] : [];
  if (seen === undefined) keyOrders.set(set, order);
  return [...problems, ...Object.entries(value).flatMap(([key, item]) => keyOrderProblems(item, `${path}.${key}`))];
}
