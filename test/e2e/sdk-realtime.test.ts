// The SDK's realtime (wx.request with enableChunked, read as server-sent events) against the real
// PocketBase, through a wx shim that cuts the stream at awkward places: inside lines, inside UTF-8
// characters, between CR and LF. The session changes under it (login, refresh, logout), the network
// drops, PocketBase restarts, and the mini-program goes to the background.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { caddy, deployProxies, nginx } from "../support/proxies";
import { exemptLoopbackFromRateLimits, startWithSimulator } from "../support/pocketbase";
import { createNotesCollection, device, loadSdk, sleep, waitFor, type Sdk } from "../support/sdk";
import type { WxShim } from "../support/wx-shim";

let sdk: typeof Sdk;
let admin: Awaited<ReturnType<typeof adminClient>>;
let notes: string;
const shims: WxShim[] = [];

beforeAll(async () => {
  sdk = await loadSdk();
  admin = await adminClient();
  notes = await createNotesCollection(admin.pb);
}, 60_000);

afterEach(() => {
  for (const shim of shims.splice(0)) expect(shim.contractProblems).toEqual([]);
});

const count = (shim: WxShim, line: string) => shim.sent.filter((sent) => sent === line).length;
// Answered, not only sent: an event broadcast before a subscription holds its token is heard as a guest's.
const subscriptionsAnswered = (shim: WxShim) => shim.answered.filter((answer) => answer.startsWith("POST /api/realtime ")).length;

/** Records the titles a subscription hears, in order. */
function listener() {
  const titles: string[] = [];
  return { titles, callback: (event: Sdk.RecordSubscription) => titles.push(String(event.record.title)) };
}

describe("collection(name).subscribe through the session's life", () => {
  it("hears the user's records after login, keeps them through a refresh, hears only public ones after logout, and comes back after a dropped network", { timeout: 60_000 }, async () => {
    const { client, shim } = device(sdk, inject("pocketbaseUrl"), shims);
    const { user } = await client.login();
    const staff = admin.pb.collection(notes);
    const heard = listener();
    await client.collection(notes).subscribe("*", heard.callback);
    expect(shim.openStreams()).toBe(1);

    // Signed in: the user's own private note is heard, with its text intact however the stream was cut.
    await staff.create({ owner: user.pb_id, title: "私密一 🙂 first" });
    await waitFor(() => heard.titles.length === 1, "the first event");
    expect(heard.titles).toEqual(["私密一 🙂 first"]);

    // A refresh: the same connection, the subscriptions posted again with the new token.
    await sleep(1100); // tokens carry whole-second expiries
    await client.refresh();
    await waitFor(() => subscriptionsAnswered(shim) === 2, "the subscriptions posted with the new token");
    expect(count(shim, "GET /api/realtime")).toBe(1);
    await staff.create({ owner: user.pb_id, title: "私密二 after refresh" });
    await waitFor(() => heard.titles.length === 2, "the event after the refresh");

    // Logout: a new connection of a guest, which hears public notes only.
    await client.logout();
    await waitFor(() => count(shim, "GET /api/realtime") === 2 && subscriptionsAnswered(shim) === 3, "the guest's connection");
    await staff.create({ owner: user.pb_id, title: "私密三 not for guests" });
    await staff.create({ owner: user.pb_id, title: "公开一 public", public: true });
    await waitFor(() => heard.titles.length === 3, "the public event");
    expect(heard.titles.at(-1)).toBe("公开一 public");

    // The network drops: the SDK opens a new connection and posts its subscriptions again.
    shim.cutStreams();
    await waitFor(() => count(shim, "GET /api/realtime") === 3 && subscriptionsAnswered(shim) === 4 && client.realtime.isConnected, "the reconnection");
    await staff.create({ owner: user.pb_id, title: "公开二 after the drop", public: true });
    await waitFor(() => heard.titles.length === 4, "the event after the reconnection");

    // Login again on the guest's connection: PocketBase lets a guest become a user; private notes are heard again.
    await sleep(1100); // a login in the second of the logged-out token would get that very token back
    await client.login();
    await waitFor(() => subscriptionsAnswered(shim) === 5, "the subscriptions posted with the user's token");
    await staff.create({ owner: user.pb_id, title: "私密四 back" });
    await waitFor(() => heard.titles.length === 5, "the private event after login");

    expect(heard.titles).toEqual(["私密一 🙂 first", "私密二 after refresh", "公开一 public", "公开二 after the drop", "私密四 back"]);
    expect(shim.splits.insideCharacter).toBeGreaterThan(0);
    expect(shim.splits.insideLine).toBeGreaterThan(0);

    await client.realtime.unsubscribe();
    await waitFor(() => shim.openStreams() === 0, "the connection closed after the last unsubscribe");
  });

  it("reads a stream whose lines end in CRLF, cut between CR and LF", async () => {
    const { client, shim } = device(sdk, inject("pocketbaseUrl"), shims, { shim: { crlf: true, seed: 7 } });
    const { user } = await client.login();
    const heard = listener();
    await client.collection(notes).subscribe("*", heard.callback, { filter: "public = false" });
    const titles = Array.from({ length: 8 }, (_, index) => `第${index}条 ✓ crlf`);
    for (const title of titles) await admin.pb.collection(notes).create({ owner: user.pb_id, title });
    await admin.pb.collection(notes).create({ owner: user.pb_id, title: "filtered out", public: true });
    await waitFor(() => heard.titles.length === titles.length, "every event");
    // PocketBase broadcasts each record's event on its own, so their order may differ.
    expect([...heard.titles].sort()).toEqual([...titles].sort());
    expect(shim.splits.betweenCrAndLf).toBeGreaterThan(0);
    await client.realtime.unsubscribe();
  });

  it("one record's topic hears that record only, and PB_CONNECT is heard at each connection", async () => {
    const { client, shim } = device(sdk, inject("pocketbaseUrl"), shims);
    const { user } = await client.login();
    const [watched, other] = [await admin.pb.collection(notes).create({ owner: user.pb_id, title: "watched" }), await admin.pb.collection(notes).create({ owner: user.pb_id, title: "other" })];
    const heard = listener();
    const connects: unknown[] = [];
    await client.realtime.subscribe("PB_CONNECT", (event) => connects.push(event));
    const stop = await client.collection(notes).subscribe(watched.id, heard.callback);

    await admin.pb.collection(notes).update(other.id, { title: "other changed" });
    await admin.pb.collection(notes).update(watched.id, { title: "watched changed" });
    await waitFor(() => heard.titles.length === 1, "the watched record's event");
    expect(heard.titles).toEqual(["watched changed"]);

    shim.cutStreams();
    await waitFor(() => connects.length === 2, "the second PB_CONNECT");
    expect(connects).toEqual([{ clientId: expect.any(String) }, { clientId: expect.any(String) }]);
    await stop();
    await client.realtime.unsubscribe();
  });
});

describe.each(deployProxies("the SDK's realtime /pb case", caddy, nginx))("a baseUrl of https://<host>/pb, through $name", ({ start }) => {
  it("streams: events arrive while the connection stays open", async () => {
    const proxy = await start(inject("pocketbaseUrl"));
    try {
      const { client, shim } = device(sdk, `${proxy.url}/pb`, shims);
      const { user } = await client.login();
      const heard = listener();
      await client.collection(notes).subscribe("*", heard.callback);
      for (const title of ["代理一", "代理二"]) {
        await admin.pb.collection(notes).create({ owner: user.pb_id, title });
        await waitFor(() => heard.titles.includes(title), `the event ${title} through the proxy`);
      }
      expect(shim.sent.filter((line) => line.includes("/realtime"))).toEqual(["GET /pb/api/realtime", "POST /pb/api/realtime"]);
      await client.realtime.unsubscribe();
    } finally {
      await proxy.stop();
    }
  });
});

describe("pauseWhenHidden", () => {
  it("closes the connection in the background and opens a new one in the foreground", async () => {
    const { client, shim } = device(sdk, inject("pocketbaseUrl"), shims, { client: { realtime: { pauseWhenHidden: true } } });
    const { user } = await client.login();
    const heard = listener();
    await client.collection(notes).subscribe("*", heard.callback);

    shim.hideApp();
    await waitFor(() => shim.openStreams() === 0, "the connection closed");
    await admin.pb.collection(notes).create({ owner: user.pb_id, title: "while hidden" });
    await sleep(300);
    expect(count(shim, "GET /api/realtime")).toBe(1);

    shim.showApp();
    await waitFor(() => client.realtime.isConnected && count(shim, "GET /api/realtime") === 2, "the foreground connection");
    await admin.pb.collection(notes).create({ owner: user.pb_id, title: "after showing" });
    await waitFor(() => heard.titles.length === 1, "the event after showing");
    // Events sent while no connection was open are gone: subscribe to PB_CONNECT to re-read after one.
    expect(heard.titles).toEqual(["after showing"]);
    await client.realtime.unsubscribe();
  });
});

describe("a PocketBase restart", () => {
  let own: Awaited<ReturnType<typeof startWithSimulator>>;
  beforeAll(async () => {
    own = await startWithSimulator();
    await exemptLoopbackFromRateLimits(own.instance);
  });
  afterAll(() => own.close());

  it("is ridden out: the SDK reconnects after growing delays and subscribes again", { timeout: 60_000 }, async () => {
    const ownAdmin = await adminClient(own.instance.url);
    const ownNotes = await createNotesCollection(ownAdmin.pb);
    const { client, shim } = device(sdk, own.instance.url, shims);
    const { user } = await client.login();
    const heard = listener();
    await client.collection(ownNotes).subscribe("*", heard.callback);

    await own.instance.stop();
    await sleep(1500); // attempts at 0.2, 0.7 and 1.7 s fail while it is down
    await own.instance.restart();
    await waitFor(() => client.realtime.isConnected && subscriptionsAnswered(shim) === 2, "the connection after the restart", 30_000);
    expect(count(shim, "GET /api/realtime")).toBeGreaterThanOrEqual(3);

    const restartedAdmin = await adminClient(own.instance.url);
    await restartedAdmin.pb.collection(ownNotes).create({ owner: user.pb_id, title: "重启之后 after restart" });
    await waitFor(() => heard.titles.length === 1, "the event after the restart");
    expect(heard.titles).toEqual(["重启之后 after restart"]);
    await client.realtime.unsubscribe();
  });
});
