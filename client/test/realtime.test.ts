import { describe, expect, it } from "vitest";
import { BaiClientError, createClient, type ClientOptions } from "../src/index";
import { fakeWx, type FakeRequest } from "./fake-wx";

const BASE_URL = "https://bai.example/pb";

function setup(options: Partial<ClientOptions> = {}) {
  const fake = fakeWx();
  const client = createClient({ baseUrl: BASE_URL, wx: fake.wx, now: () => fake.server.nowSeconds * 1000, ...options, realtime: { reconnectDelaysMs: [5, 20, 40], ...options.realtime } });
  return { ...fake, client };
}

async function signedIn(options: Partial<ClientOptions> = {}) {
  const context = setup(options);
  await context.client.login();
  context.server.requests.length = 0;
  return context;
}

async function until(condition: () => boolean, what = "condition", timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const posts = (requests: FakeRequest[]) => requests.filter((request) => request.path === "/api/realtime" && request.method === "POST");

/** Subscribes, plays PocketBase's PB_CONNECT on the stream it opens, and waits for the subscription. */
async function connected<T>(context: ReturnType<typeof setup>, subscribe: () => Promise<T>, clientId = "client-1"): Promise<T> {
  const before = context.server.streams.length;
  const subscribed = subscribe();
  await until(() => context.server.streams.length > before, "the stream");
  context.server.streams.at(-1)!.connect(clientId);
  return subscribed;
}

describe("subscribe", () => {
  it("opens GET /api/realtime with enableChunked, waits for PB_CONNECT, then posts the topic with the token", async () => {
    const context = await signedIn();
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));

    const [stream] = server.streams;
    expect(stream.request).toMatchObject({ method: "GET", url: `${BASE_URL}/api/realtime`, headers: { accept: "text/event-stream" } });
    expect(posts(server.requests)).toEqual([expect.objectContaining({ token: client.token, body: { clientId: "client-1", subscriptions: ["notes/*"] } })]);
    expect(client.realtime.isConnected).toBe(true);
  });

  it("hands events to the callback, parsed, however the chunks were cut", async () => {
    const context = await signedIn();
    const seen: unknown[] = [];
    await connected(context, () => context.client.collection("notes").subscribe("*", (event) => seen.push(event)));
    const stream = context.server.streams[0];

    const event = { action: "create", record: { id: "n1", title: "张三 🙂" } };
    stream.send(`id:client-1\r\nevent:notes/*\r\ndata:${JSON.stringify(event)}\r\n\r\n`, 1);
    stream.send(`id:client-1\nevent:notes/*\ndata:${JSON.stringify({ ...event, action: "update" })}\n\nid:client-1\nevent:other\ndata:{}\n\n`, 5);
    expect(seen).toEqual([event, { ...event, action: "update" }]);
  });

  it("sends topics subscribed together in one POST, and options as PocketBase's SDK does", async () => {
    const context = await signedIn();
    const { client, server } = context;
    await connected(context, () =>
      Promise.all([client.collection("notes").subscribe("*", () => {}), client.collection("notes").subscribe("n1", () => {}, { filter: "title != ''", expand: "owner", query: { a: 1 } })]),
    );
    const options = encodeURIComponent(JSON.stringify({ query: { a: 1, filter: "title != ''", expand: "owner" } }));
    expect(server.streams).toHaveLength(1);
    expect(posts(server.requests).map((request) => (request.body as { subscriptions: string[] }).subscriptions)).toEqual([["notes/*", `notes/n1?options=${options}`]]);
  });

  it("unsubscribing posts the rest; the last one closes the connection", async () => {
    const context = await signedIn();
    const { client, server } = context;
    const [stopNotes] = await connected(context, () => Promise.all([client.collection("notes").subscribe("*", () => {}), client.collection("notes2").subscribe("*", () => {})]));

    await stopNotes();
    await client.collection("notes").unsubscribe(); // nothing of notes is left; notes2 must stay
    expect(posts(server.requests).map((request) => (request.body as { subscriptions: string[] }).subscriptions)).toEqual([["notes/*", "notes2/*"], ["notes2/*"]]);
    await client.collection("notes2").unsubscribe("*");
    expect(server.streams[0].aborted).toBe(true);
    expect(posts(server.requests)).toHaveLength(2);
    expect(client.realtime.isConnected).toBe(false);
  });

  it("rejects when the first connection fails, and keeps nothing of that subscription", async () => {
    const context = await signedIn();
    const { client, server } = context;
    const subscribed = client.collection("notes").subscribe("*", () => {});
    await until(() => server.streams.length === 1);
    server.streams[0].drop();

    const error = await subscribed.catch((caught) => caught);
    expect(error).toBeInstanceOf(BaiClientError);
    expect(error).toMatchObject({ status: 0, isNetworkError: true });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.streams).toHaveLength(1); // no reconnection for a subscription that never was
  });

  it("rejects when PB_CONNECT does not come in time", async () => {
    const { client, server } = await signedIn({ realtime: { connectTimeoutMs: 30 } });
    await expect(client.collection("notes").subscribe("*", () => {})).rejects.toMatchObject({ status: 0, msg: "实时连接超时" });
    expect(server.streams[0].aborted).toBe(true);
  });

  it("rejects on a base library without onChunkReceived", async () => {
    const fake = fakeWx();
    const request = fake.wx.request;
    fake.wx.request = (options) => ({ abort: request(options).abort });
    const client = createClient({ baseUrl: BASE_URL, wx: fake.wx });
    await expect(client.realtime.subscribe("notes/*", () => {})).rejects.toThrow(/2\.20\.2/);
  });

  it("listens as a guest when signed out, without logging in", async () => {
    const context = setup();
    await connected(context, () => context.client.collection("notes").subscribe("*", () => {}));
    expect(posts(context.server.requests)[0].headers.authorization).toBeUndefined();
    expect(context.loginCalls()).toBe(0);
  });
});

describe("the session changing", () => {
  it("a refresh posts the subscriptions again with the new token, on the same connection", async () => {
    const context = await signedIn();
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));
    await client.refresh();
    await until(() => posts(server.requests).length === 2, "the second POST");

    expect(server.streams).toHaveLength(1);
    expect(posts(server.requests)[1]).toMatchObject({ token: client.token, body: { clientId: "client-1" } });
  });

  it("a logout moves the subscriptions to a new connection of a guest", async () => {
    const context = await signedIn();
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));
    await client.logout();
    await until(() => server.streams.length === 2, "the new stream");
    server.streams[1].connect("client-2");
    await until(() => posts(server.requests).length === 2, "the guest's POST");

    expect(server.streams[0].aborted).toBe(true);
    expect(posts(server.requests)[1].headers.authorization).toBeUndefined();
    expect(posts(server.requests)[1].body).toEqual({ clientId: "client-2", subscriptions: ["notes/*"] });
  });

  it("a login after listening as a guest posts the token on the same connection", async () => {
    const context = setup();
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));
    await client.login();
    await until(() => posts(server.requests).length === 2, "the user's POST");
    expect(server.streams).toHaveLength(1);
    expect(posts(server.requests)[1]).toMatchObject({ token: client.token, body: { clientId: "client-1" } });
  });

  it("a token due for renewal is refreshed before it is posted", async () => {
    const context = await signedIn();
    const { client, server } = context;
    server.nowSeconds += 6.5 * 86_400;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /api/wechat/refresh-token", "GET /api/realtime", "POST /api/realtime"]);
    expect(posts(server.requests)[0].token).toBe(client.token);
  });
});

describe("a lost connection", () => {
  it("is reopened and its subscriptions posted again; PB_CONNECT listeners hear every connection", async () => {
    const context = await signedIn();
    const { client, server } = context;
    const connects: unknown[] = [];
    const seen: unknown[] = [];
    await connected(context, () => Promise.all([client.realtime.subscribe("PB_CONNECT", (event) => connects.push(event)), client.collection("notes").subscribe("*", (event) => seen.push(event))]));

    server.streams[0].drop();
    await until(() => server.streams.length === 2, "the reconnection");
    server.streams[1].connect("client-2");
    await until(() => posts(server.requests).length === 2, "the subscriptions posted again");
    server.streams[1].send('id:client-2\nevent:notes/*\ndata:{"action":"delete","record":{"id":"n1"}}\n\n');

    expect(posts(server.requests)[1]).toMatchObject({ token: client.token, body: { clientId: "client-2", subscriptions: ["PB_CONNECT", "notes/*"] } });
    expect(connects).toEqual([{ clientId: "client-1" }, { clientId: "client-2" }]);
    expect(seen).toEqual([{ action: "delete", record: { id: "n1" } }]);
  });

  it("is retried after growing delays while the server stays away, and not at all once nothing is subscribed", async () => {
    const context = await signedIn();
    const { client, server } = context;
    const opened: number[] = [];
    const request = context.wx.request;
    context.wx.request = (options) => (options.enableChunked && opened.push(Date.now()), request(options));
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));

    server.streams[0].end(); // PocketBase closed it (idle, or its 30-minute limit)
    for (let attempt = 1; attempt <= 3; attempt++) {
      await until(() => server.streams.length === attempt + 1, `attempt ${attempt}`);
      server.streams[attempt].drop();
    }
    await until(() => server.streams.length === 5, "attempt 4");
    const gaps = opened.slice(1).map((at, index) => at - opened[index]);
    expect(gaps[2]).toBeGreaterThanOrEqual(20);
    expect(gaps[3]).toBeGreaterThanOrEqual(40);

    await client.realtime.unsubscribe();
    server.streams[4].drop();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.streams).toHaveLength(5);
  });

  it("is replaced when the server no longer knows it (the POST answers 404)", async () => {
    const context = await signedIn();
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));
    server.routes["/api/realtime"] = () => ({ status: 404, body: { status: 404, message: "Missing or invalid client id.", data: {} } });

    await client.collection("notes").subscribe("n1", () => {}); // resolves: queued for the new connection
    await until(() => server.streams.length === 2, "the new connection");
    server.routes["/api/realtime"] = () => ({ status: 204, body: "" });
    server.streams[1].connect("client-2");
    await until(() => posts(server.requests).length === 3, "the POST on the new connection");
    expect(posts(server.requests)[2].body).toEqual({ clientId: "client-2", subscriptions: ["notes/*", "notes/n1"] });
  });
});

describe("pauseWhenHidden", () => {
  it("closes the connection in the background and reopens it in the foreground", async () => {
    const context = await signedIn({ realtime: { pauseWhenHidden: true } });
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));

    context.hideApp();
    expect(server.streams[0].aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.streams).toHaveLength(1);

    context.showApp();
    await until(() => server.streams.length === 2, "the foreground connection");
    server.streams[1].connect("client-2");
    await until(() => posts(server.requests).length === 2, "the POST");
    expect(client.realtime.isConnected).toBe(true);
  });

  it("without it, coming back to the foreground reconnects at once instead of waiting out the back-off", async () => {
    const context = await signedIn({ realtime: { reconnectDelaysMs: [60_000] } });
    const { client, server } = context;
    await connected(context, () => client.collection("notes").subscribe("*", () => {}));

    context.hideApp();
    server.streams[0].drop(); // WeChat interrupts a backgrounded mini-program's requests after 5 s
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.streams).toHaveLength(1);
    context.showApp();
    await until(() => server.streams.length === 2, "the reconnection on show");
    context.showApp(); // shown again while connecting: nothing more
    expect(server.streams).toHaveLength(2);
  });

  it("is off by default: the connection stays open in the background", async () => {
    const context = await signedIn();
    await connected(context, () => context.client.collection("notes").subscribe("*", () => {}));
    context.hideApp();
    expect(context.server.streams[0].aborted).toBe(false);
  });
});
