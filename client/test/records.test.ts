import PocketBase from "pocketbase";
import { describe, expect, it } from "vitest";
import { BaiClientError, createClient, wxFile } from "../src/index";
import { fakeWx } from "./fake-wx";

const BASE_URL = "https://bai.example/pb";

async function signedIn() {
  const fake = fakeWx();
  const client = createClient({ baseUrl: BASE_URL, wx: fake.wx, now: () => fake.server.nowSeconds * 1000 });
  await client.login();
  fake.server.requests.length = 0;
  return { ...fake, client };
}

const record = (id: string, extra: Record<string, unknown> = {}) => ({ id, collectionId: "pbc_1", collectionName: "notes", ...extra });

/** Answers list requests of `path` from `all`, paged as PocketBase pages. */
function serveList(server: ReturnType<typeof fakeWx>["server"], path: string, all: unknown[]) {
  server.routes[path] = (request) => {
    const query = new URL(request.url).searchParams;
    const page = Number(query.get("page"));
    const perPage = Number(query.get("perPage"));
    const items = all.slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: { page, perPage, totalItems: -1, totalPages: -1, items } };
  };
}

describe("collection(name).getList", () => {
  it("sends PocketBase's query options with the token, serialized as PocketBase's SDK does", async () => {
    const { client, server } = await signedIn();
    serveList(server, "/api/collections/notes/records", [record("a")]);
    const filter = client.filter("title ~ {:title} && created >= {:since}", { title: "张 'x'", since: new Date("2026-03-19T10:00:00Z") });
    const list = await client.collection("notes").getList(2, 20, { filter, sort: "-created,id", expand: "owner", fields: "id,title", skipTotal: true, query: { extra: [1, 2] } });

    expect(list).toMatchObject({ page: 2, perPage: 20, items: [] });
    const url = new URL(server.requests[0].url);
    expect(server.requests[0]).toMatchObject({ method: "GET", token: client.token, body: undefined });
    expect(url.pathname).toBe("/pb/api/collections/notes/records");
    expect([...url.searchParams.entries()]).toEqual([
      ["extra", "1"],
      ["extra", "2"],
      ["filter", filter],
      ["sort", "-created,id"],
      ["expand", "owner"],
      ["fields", "id,title"],
      ["skipTotal", "true"],
      ["page", "2"],
      ["perPage", "20"],
    ]);
  });

  it("encodes the collection name", async () => {
    const { client, server } = await signedIn();
    serveList(server, "/api/collections/a%2Fb/records", []);
    await client.collection("a/b").getList();
    expect(server.requests[0].url).toBe(`${BASE_URL}/api/collections/a%2Fb/records?page=1&perPage=30`);
  });
});

describe("collection(name).getFullList", () => {
  it("fetches batch by batch until a page comes back short, skipping the totals", async () => {
    const { client, server } = await signedIn();
    const all = ["a", "b", "c", "d", "e"].map((id) => record(id));
    serveList(server, "/api/collections/notes/records", all);

    const items = await client.collection("notes").getFullList({ batch: 2, sort: "id" });
    expect(items.map((item) => item.id)).toEqual(["a", "b", "c", "d", "e"]);
    expect(server.requests.map((request) => new URL(request.url).search)).toEqual([
      "?skipTotal=true&sort=id&page=1&perPage=2",
      "?skipTotal=true&sort=id&page=2&perPage=2",
      "?skipTotal=true&sort=id&page=3&perPage=2",
    ]);
  });

  it("asks 1000 at a time by default", async () => {
    const { client, server } = await signedIn();
    serveList(server, "/api/collections/notes/records", [record("a")]);
    await client.collection("notes").getFullList();
    expect(new URL(server.requests[0].url).searchParams.get("perPage")).toBe("1000");
  });
});

describe("collection(name).getFirstListItem and getOne", () => {
  it("getFirstListItem asks for one item with the filter and answers it", async () => {
    const { client, server } = await signedIn();
    serveList(server, "/api/collections/notes/records", [record("a")]);
    expect((await client.collection("notes").getFirstListItem('title = "x"', { expand: "owner" })).id).toBe("a");
    expect(new URL(server.requests[0].url).search).toBe(`?skipTotal=true&expand=owner&filter=${encodeURIComponent('title = "x"')}&page=1&perPage=1`);
  });

  it("getFirstListItem rejects with PocketBase's 404 when nothing matches", async () => {
    const { client, server } = await signedIn();
    serveList(server, "/api/collections/notes/records", []);
    const error: BaiClientError = await client.collection("notes").getFirstListItem("id = 'none'").catch((caught) => caught);
    expect(error).toBeInstanceOf(BaiClientError);
    expect(error).toMatchObject({ status: 404, code: 404, msg: "The requested resource wasn't found.", data: {} });
  });

  it("getOne gets the record by id, and rejects an empty id without sending", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records/a%201"] = () => ({ status: 200, body: record("a 1") });
    expect((await client.collection("notes").getOne("a 1", { fields: "id" })).id).toBe("a 1");
    expect(server.requests[0].url).toBe(`${BASE_URL}/api/collections/notes/records/a%201?fields=id`);
    await expect(client.collection("notes").getOne("")).rejects.toMatchObject({ status: 404, msg: "Missing required record id." });
    expect(server.requests).toHaveLength(1);
  });

  it("reads PocketBase's error envelope into the SDK's error", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records/x"] = () => ({ status: 404, body: { status: 404, message: "The requested resource wasn't found.", data: {} } });
    await expect(client.collection("notes").getOne("x")).rejects.toMatchObject({ status: 404, code: 404, msg: "The requested resource wasn't found." });
  });
});

describe("collection(name).create, update and delete", () => {
  it("create posts JSON to PocketBase's own route", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records"] = (request) => ({ status: 200, body: record("n1", request.body as object) });
    const created = await client.collection("notes").create({ title: "张三", count: 2, tags: ["a"] }, { expand: "owner" });

    expect(created).toMatchObject({ id: "n1", title: "张三", count: 2 });
    expect(server.requests[0]).toMatchObject({ method: "POST", url: `${BASE_URL}/api/collections/notes/records?expand=owner`, body: { title: "张三", count: 2, tags: ["a"] } });
  });

  it("update posts to POST /api/wechat/records/{collection}/{id}, as wx.request has no PATCH", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/records/notes/n1"] = (request) => ({ status: 200, body: record("n1", request.body as object) });
    const updated = await client.collection("notes").update("n1", { title: "李四", "tags+": "b" });

    expect(updated).toMatchObject({ id: "n1", title: "李四" });
    expect(server.requests[0]).toMatchObject({ method: "POST", token: client.token, body: { title: "李四", "tags+": "b" } });
  });

  it("update rejects with PocketBase's field errors", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/records/notes/n1"] = () => ({
      status: 400,
      body: { status: 400, message: "Failed to update record.", data: { title: { code: "validation_length_out_of_range", message: "Must be no more than 10 character(s)." } } },
    });
    const error: BaiClientError = await client.collection("notes").update("n1", { title: "x".repeat(11) }).catch((caught) => caught);
    expect(error).toMatchObject({ status: 400, msg: "Failed to update record.", fieldErrors: { title: { code: "validation_length_out_of_range" } } });
  });

  it("delete sends DELETE and answers true", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records/n1"] = () => ({ status: 204, body: "" });
    expect(await client.collection("notes").delete("n1")).toBe(true);
    expect(server.requests[0]).toMatchObject({ method: "DELETE", token: client.token, body: undefined });
  });

  it("renews the token once on a 401, like every call", async () => {
    const { client, server } = await signedIn();
    const old = client.token;
    server.routes["/api/collections/notes/records/n1"] = (request) => (request.token === old ? { status: 401, body: { status: 401, message: "x", data: {} } } : { status: 200, body: record("n1") });
    await client.collection("notes").getOne("n1");
    expect(server.requests.map((request) => request.path)).toEqual(["/api/collections/notes/records/n1", "/api/wechat/refresh-token", "/api/collections/notes/records/n1"]);
  });
});

describe("a record with a file", () => {
  it("create sends the one wxFile with wx.uploadFile and the other fields as @jsonPayload", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records"] = () => ({ status: 200, body: JSON.stringify(record("n1", { photo: "a_x.png" })) });
    const created = await client.collection("notes").create({ title: "张三", count: 2, done: false, photo: wxFile("wxfile://tmp/a.png") });

    expect(created).toMatchObject({ id: "n1", photo: "a_x.png" });
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      url: `${BASE_URL}/api/collections/notes/records`,
      token: client.token,
      upload: { filePath: "wxfile://tmp/a.png", name: "photo", formData: { "@jsonPayload": JSON.stringify({ title: "张三", count: 2, done: false }) } },
    });
  });

  it("update appends a file to a multi-file field through the records route", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/wechat/records/notes/n1"] = () => ({ status: 200, body: JSON.stringify(record("n1")) });
    await client.collection("notes").update("n1", { "photos+": [wxFile("wxfile://tmp/b.png")] }, { expand: "owner" });
    expect(server.requests[0]).toMatchObject({ url: `${BASE_URL}/api/wechat/records/notes/n1?expand=owner`, upload: { filePath: "wxfile://tmp/b.png", name: "photos+", formData: {} } });
  });

  it("renews the token once on a 401 and uploads again", async () => {
    const { client, server } = await signedIn();
    const old = client.token;
    server.routes["/api/collections/notes/records"] = (request) => (request.token === old ? { status: 401, body: "{}" } : { status: 200, body: JSON.stringify(record("n1")) });
    await client.collection("notes").create({ photo: wxFile("wxfile://tmp/a.png") });
    expect(server.requests.map((request) => request.path)).toEqual(["/api/collections/notes/records", "/api/wechat/refresh-token", "/api/collections/notes/records"]);
  });

  it("rejects PocketBase's error of an upload into the SDK's error", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/collections/notes/records"] = () => ({ status: 400, body: JSON.stringify({ status: 400, message: "Failed to create record.", data: { photo: { code: "validation_invalid_mime_type", message: "x" } } }) });
    await expect(client.collection("notes").create({ photo: wxFile("wxfile://tmp/a.exe") })).rejects.toMatchObject({ status: 400, fieldErrors: { photo: { code: "validation_invalid_mime_type" } } });
  });

  it.each([
    ["two file fields", { a: wxFile("wxfile://1"), b: wxFile("wxfile://2") }],
    ["two files in one field", { photos: [wxFile("wxfile://1"), wxFile("wxfile://2")] }],
    ["a file beside other values in one field", { photos: ["kept.png", wxFile("wxfile://1")] }],
  ])("refuses %s before sending anything: WeChat uploads one file per request", async (_, body) => {
    const { client, server } = await signedIn();
    await expect(client.collection("notes").create(body)).rejects.toThrow(/one file per request/);
    expect(server.requests).toEqual([]);
  });
});

describe("files", () => {
  const pb = new PocketBase(BASE_URL);
  const file = record("r 1", { collectionId: "pbc_1" });

  it.each([
    ["no options", file, "a b.png", undefined],
    ["a thumb", file, "a.png", { thumb: "100x100" }],
    ["download true", file, "a.png", { download: true }],
    ["download false", file, "a.png", { download: false }],
    ["a token", file, "a.png", { token: "t.o.k" }],
    ["a collection name only", { id: "r1", collectionName: "notes" }, "a.png", { thumb: "0x50" }],
    ["no id", { collectionId: "c" }, "a.png", undefined],
    ["no filename", file, "", undefined],
  ])("getURL with %s is what pb.files.getURL builds", (_, model, filename, options) => {
    const { wx } = fakeWx();
    const client = createClient({ baseUrl: BASE_URL, wx });
    expect(client.files.getURL(model, filename, options && { ...options })).toBe(pb.files.getURL(model, filename, options && { ...options }));
  });

  it("getToken posts to /api/files/token with the session's token", async () => {
    const { client, server } = await signedIn();
    server.routes["/api/files/token"] = () => ({ status: 200, body: { token: "file-token" } });
    expect(await client.files.getToken()).toBe("file-token");
    expect(server.requests[0]).toMatchObject({ method: "POST", token: client.token });
  });
});
