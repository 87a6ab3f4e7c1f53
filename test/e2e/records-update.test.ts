// POST /api/wechat/records/{collection}/{id} is PocketBase's own record update for wx.request:
// one table of rules, callers and bodies is sent both as a native PATCH and through our route,
// to twin records, and every row must get the same status, the same answer and the same stored
// record. On an instance of its own, whose test collections are made through the superuser API,
// with a hook whose side effect shows that PocketBase's own update ran.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, expectContract, type ApiResponse } from "../support/api";
import { exemptLoopbackFromRateLimits, startWithSimulator } from "../support/pocketbase";
import { realtimeConnection } from "../support/realtime";
import { uniqueName } from "../support/wechat";

// One collection per update rule, all with the same fields.
const RULES = {
  superusers: null,
  anyone: "",
  signedIn: '@request.auth.id != ""',
  owner: "owner = @request.auth.id",
  bodyX: '@request.body.x = "ok"',
} as const;
type RuleName = keyof typeof RULES;
const collectionOf = (rule: RuleName) => `bai_test_${rule}`;
const MAX_DOC_BYTES = 1000;

const HOOK = `onRecordUpdateRequest((e) => {
  if (e.collection.name.startsWith("bai_test_")) e.record.set("hooked", e.requestInfo().method + " " + e.requestEvent.request.pattern);
  e.next();
});
`;

type Caller = "guest" | "owner" | "other" | "loggedOut" | "superuser";
type Fields = Record<string, unknown>;
interface Upload {
  field: string;
  name: string;
  content: string;
}
interface Row {
  name: string;
  rule: RuleName;
  as: Caller;
  // JSON, a raw string, or multipart (text fields plus files); a function gets the twin's stored record.
  json?: Fields | ((record: Fields) => Fields);
  raw?: string;
  multipart?: { fields?: Record<string, string>; files?: Upload[] };
  query?: string;
  target?: "missing record" | "missing collection";
  status: number;
}

const file = (name: string, content = "hello"): Upload => ({ field: "doc", name, content });

const ROWS: Row[] = [
  { name: "superusers only: a guest", rule: "superusers", as: "guest", json: { title: "t" }, status: 403 },
  { name: "superusers only: a user", rule: "superusers", as: "owner", json: { title: "t" }, status: 403 },
  { name: "superusers only: a user's upload", rule: "superusers", as: "owner", multipart: { fields: { title: "t" }, files: [file("second.txt")] }, status: 403 },
  { name: "superusers only: a superuser", rule: "superusers", as: "superuser", json: { title: "t" }, status: 200 },
  { name: "anyone: a guest", rule: "anyone", as: "guest", json: { title: "t" }, status: 200 },
  { name: "signed in: a guest", rule: "signedIn", as: "guest", json: { title: "t" }, status: 404 },
  { name: "signed in: a logged-out token is refused", rule: "signedIn", as: "loggedOut", json: { title: "t" }, status: 401 },
  { name: "signed in: a user", rule: "signedIn", as: "other", json: { title: "t" }, status: 200 },
  { name: "owner: the owner", rule: "owner", as: "owner", json: { title: "t" }, status: 200 },
  { name: "owner: another user", rule: "owner", as: "other", json: { title: "t" }, status: 404 },
  { name: "owner: another user naming themselves owner", rule: "owner", as: "other", json: (record) => ({ owner: record.other }), status: 404 },
  { name: "owner: the owner giving it away", rule: "owner", as: "owner", json: (record) => ({ owner: record.other }), status: 200 },
  { name: "@request.body.x: x ok", rule: "bodyX", as: "guest", json: { x: "ok", title: "t" }, status: 200 },
  { name: "@request.body.x: another x", rule: "bodyX", as: "guest", json: { x: "no", title: "t" }, status: 404 },
  { name: "@request.body.x: no x", rule: "bodyX", as: "guest", json: { title: "t" }, status: 404 },
  { name: "@request.body.x: x ok, multipart", rule: "bodyX", as: "guest", multipart: { fields: { x: "ok", title: "t" } }, status: 200 },
  { name: "a hidden field from a guest is dropped", rule: "anyone", as: "guest", json: { secret: "changed", title: "t" }, status: 200 },
  { name: "a hidden field from a superuser is written", rule: "anyone", as: "superuser", json: { secret: "changed" }, status: 200 },
  { name: "system fields are not written", rule: "anyone", as: "guest", json: { created: "2020-01-01 00:00:00.000Z", updated: "2020-01-01 00:00:00.000Z", collectionId: "x" }, status: 200 },
  { name: "a field that does not exist is ignored", rule: "anyone", as: "guest", json: { nope: 1, title: "t" }, status: 200 },
  { name: "a title over its maximum", rule: "anyone", as: "guest", json: { title: "x".repeat(21) }, status: 400 },
  { name: "malformed JSON", rule: "anyone", as: "guest", raw: '{"title":', status: 400 },
  { name: "a file as wx.uploadFile sends it, replacing", rule: "anyone", as: "guest", multipart: { fields: { title: "t" }, files: [file("second.txt")] }, status: 200 },
  { name: "a file appended with doc+", rule: "anyone", as: "guest", multipart: { files: [{ ...file("third.txt"), field: "doc+" }] }, status: 200 },
  { name: "a file removed with doc-", rule: "anyone", as: "guest", json: (record) => ({ "doc-": (record.doc as string[])[0] }), status: 200 },
  { name: "a file over the field's maximum", rule: "anyone", as: "guest", multipart: { files: [file("large.txt", "x".repeat(MAX_DOC_BYTES + 1))] }, status: 400 },
  { name: "the fields query", rule: "anyone", as: "guest", json: { title: "t" }, query: "?fields=title,hooked", status: 200 },
  { name: "the expand query", rule: "anyone", as: "guest", json: { title: "t" }, query: "?expand=nothing", status: 200 },
  { name: "a record that does not exist", rule: "anyone", as: "guest", json: { title: "t" }, target: "missing record", status: 404 },
  { name: "a collection that does not exist", rule: "anyone", as: "guest", json: { title: "t" }, target: "missing collection", status: 404 },
];

let own: Awaited<ReturnType<typeof startWithSimulator>>;
let superuser: string;
const tokens = {} as Record<Caller, string | undefined>;
const userIds = {} as Record<"owner" | "other", string>;

async function superuserRequest(method: string, path: string, body?: unknown) {
  const response = await fetch(`${own.instance.url}${path}`, {
    method,
    headers: { authorization: superuser, ...(body instanceof FormData ? {} : { "content-type": "application/json" }) },
    body: body instanceof FormData ? body : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  own = await startWithSimulator({ extraHooks: { "zz_test_record_update_hook.pb.js": HOOK } });
  await exemptLoopbackFromRateLimits(own.instance);
  superuser = await own.instance.superuserToken();
  for (const [rule, updateRule] of Object.entries(RULES)) {
    await superuserRequest("POST", "/api/collections", {
      name: collectionOf(rule as RuleName),
      type: "base",
      listRule: "",
      viewRule: "",
      updateRule,
      fields: [
        { name: "title", type: "text", max: 20 },
        { name: "x", type: "text" },
        { name: "owner", type: "text" },
        { name: "other", type: "text" },
        { name: "secret", type: "text", hidden: true },
        { name: "doc", type: "file", maxSelect: 3, maxSize: MAX_DOC_BYTES },
        { name: "hooked", type: "text" },
      ],
    });
  }
  const client = api(own.instance.url);
  for (const caller of ["owner", "other", "loggedOut"] as const) {
    const { token, user } = await client.signIn(uniqueName(caller));
    tokens[caller] = token;
    if (caller !== "loggedOut") userIds[caller] = user.pb_id;
  }
  expect((await client.post("/api/wechat/logout", undefined, { token: tokens.loggedOut })).status).toBe(200);
  tokens.superuser = superuser;
});

afterAll(() => own?.close());

// A record as each row starts from: a title, an owner, a hidden secret and one file.
async function createTwin(rule: RuleName): Promise<Fields> {
  const form = new FormData();
  for (const [key, value] of Object.entries({ title: "initial", owner: userIds.owner, other: userIds.other, secret: "initial secret" })) form.append(key, value);
  form.append("doc", new Blob(["first"]), "first.txt");
  return superuserRequest("POST", `/api/collections/${collectionOf(rule)}/records`, form);
}

function requestOf(row: Row, record: Fields): { body?: BodyInit; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const token = tokens[row.as];
  if (token) headers.authorization = row.as === "superuser" ? token : `Bearer ${token}`;
  if (row.raw !== undefined) return { body: row.raw, headers: { ...headers, "content-type": "application/json" } };
  if (row.multipart) {
    const form = new FormData();
    for (const [key, value] of Object.entries(row.multipart.fields ?? {})) form.append(key, value);
    for (const upload of row.multipart.files ?? []) form.append(upload.field, new Blob([upload.content]), upload.name);
    return { body: form, headers };
  }
  const json = typeof row.json === "function" ? row.json(record) : row.json;
  return { body: JSON.stringify(json), headers: { ...headers, "content-type": "application/json" } };
}

async function send(method: "PATCH" | "POST", path: string, query: string, request: { body?: BodyInit; headers: Record<string, string> }): Promise<ApiResponse> {
  const response = await fetch(`${own.instance.url}${path}${query}`, { method, ...request });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

// What differs between twins by construction: ids, times, and the random part of file names.
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === "string") return value.replace(/_[a-z0-9]{10}(\.\w+)$/, "$1");
  if (value === null || typeof value !== "object") return value;
  const { id: _id, created: _created, updated: _updated, ...rest } = value as Fields;
  return Object.fromEntries(Object.entries(rest).map(([key, field]) => [key, comparable(field)]));
}

async function stored(rule: RuleName, id: string): Promise<unknown> {
  return comparable(await superuserRequest("GET", `/api/collections/${collectionOf(rule)}/records/${id}`));
}

describe("POST /api/wechat/records/{collection}/{id}", () => {
  it.each(ROWS.map((row) => [row.name, row]))("answers and stores as PocketBase's PATCH does: %s", async (_, row: Row) => {
    const [native, ours] = [await createTwin(row.rule), await createTwin(row.rule)];
    const collection = row.target === "missing collection" ? "bai_test_nothing" : collectionOf(row.rule);
    const idOf = (record: Fields) => (row.target === "missing record" ? "aaaaaaaaaaaaaaa" : (record.id as string));

    const nativeAnswer = await send("PATCH", `/api/collections/${collection}/records/${idOf(native)}`, row.query ?? "", requestOf(row, native));
    const ourPath = `/api/wechat/records/${collection}/${idOf(ours)}`;
    const ourAnswer = expectContract(ourPath, "POST", await send("POST", ourPath, row.query ?? "", requestOf(row, ours)));

    expect([nativeAnswer.status, ourAnswer.status], nativeAnswer.text).toEqual([row.status, row.status]);
    expect(ourAnswer.headers.get("content-type")).toBe(nativeAnswer.headers.get("content-type"));
    expect(comparable(ourAnswer.body)).toEqual(comparable(nativeAnswer.body));
    expect(await stored(row.rule, ours.id as string)).toEqual(await stored(row.rule, native.id as string));
  });

  it("runs PocketBase's own update, hooks included: the hook sees PocketBase's PATCH route", async () => {
    const record = await createTwin("anyone");
    const response = await send("POST", `/api/wechat/records/${collectionOf("anyone")}/${record.id}`, "", { body: JSON.stringify({ title: "hooked" }), headers: { "content-type": "application/json" } });
    expect(response.body).toMatchObject({ title: "hooked", hooked: "PATCH PATCH /api/collections/{collection}/records/{id}" });
  });

  it("fires PocketBase's realtime update event", async () => {
    const record = await createTwin("anyone");
    const watch = await realtimeConnection(own.instance.url);
    try {
      expect(await watch.subscribe([`${collectionOf("anyone")}/${record.id}`])).toBe(204);
      const response = await send("POST", `/api/wechat/records/${collectionOf("anyone")}/${record.id}`, "", { body: JSON.stringify({ title: "heard" }), headers: { "content-type": "application/json" } });
      expect(response.status).toBe(200);
      await expect.poll(() => watch.events.find((event) => event.includes('"title":"heard"'))).toContain('"action":"update"');
    } finally {
      watch.close();
    }
  });

  it("never lets a user update their own tbl_auth_users record, whose rule is null", async () => {
    const path = `/api/wechat/records/tbl_auth_users/${userIds.owner}`;
    const response = await send("POST", path, "", { body: JSON.stringify({ users_type: "注册用户", users_status: "正常" }), headers: { "content-type": "application/json", authorization: `Bearer ${tokens.owner}` } });
    expect(response.body).toEqual({ status: 403, message: "Only superusers can perform this action.", data: {} });
  });

  it("has the collection's body limit, as PocketBase's PATCH: 32 MB plus its file fields' (413)", async () => {
    const record = await createTwin("anyone");
    const limit = 32 * 1024 * 1024 + 3 * MAX_DOC_BYTES;
    const answers = [];
    for (const [method, path] of [
      ["PATCH", `/api/collections/${collectionOf("anyone")}/records/${record.id}`],
      ["POST", `/api/wechat/records/${collectionOf("anyone")}/${record.id}`],
    ]) {
      answers.push(await declaredLengthAnswer(method, path, limit + 1));
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toEqual({ status: 413, body: { status: 413, message: "Request entity too large.", data: {} } });
  });

  it.each([
    ["a collection with an encoded slash", (id: string) => [`${collectionOf("anyone")}%2Frecords%2F${id}`, id]],
    ["an encoded climb to another route", (id: string) => ["..%2F..%2Fsettings", id]],
    ["an id with an encoded slash", (id: string) => [collectionOf("anyone"), `${id}%2F..`]],
  ])("goes nowhere but PocketBase's update: %s is PocketBase's 404", async (_, segments) => {
    const record = await createTwin("anyone");
    const [collection, id] = segments(record.id as string);
    const json = { body: JSON.stringify({ title: "moved" }), headers: { "content-type": "application/json" } };
    const native = await send("PATCH", `/api/collections/${collection}/records/${id}`, "", json);
    const ours = await send("POST", `/api/wechat/records/${collection}/${id}`, "", json);
    expect([ours.status, ours.body]).toEqual([native.status, native.body]);
    expect(ours.status).toBe(404);
    expect(await stored("anyone", record.id as string)).toMatchObject({ title: "initial" });
  });

  it("answers other methods 405", async () => {
    const response = await fetch(`${own.instance.url}/api/wechat/records/${collectionOf("anyone")}/x`, { method: "PATCH" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

// The answer to a request that declares a Content-Length of `length` and sends nothing yet.
function declaredLengthAnswer(method: string, path: string, length: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, own.instance.url), { method, headers: { "content-type": "application/json", "content-length": String(length) } }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: JSON.parse(text) });
      });
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}
