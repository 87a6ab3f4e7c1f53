// deploy/Caddyfile and deploy/nginx.conf, run for real: Caddy (built from the Go module proxy,
// so it runs on every machine) and Debian's nginx (where installed; always in CI) in front of a
// real PocketBase and the WeChat simulator. The mini-program flow, the admin UI, the client's IP
// and the body limits all go through /pb.
import { randomUUID } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { api, validProfile } from "../support/api";
import { filePart, png, uploadAvatar } from "../support/avatars";
import { caddy, deployProxies, nginx, type DeployProxy, type ReverseProxy } from "../support/proxies";
import { startPocketBase, SUPERUSER, type PocketBaseInstance } from "../support/pocketbase";
import { failureBody, failures } from "../support/responses";
import { codes, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

interface ProxyUnderTest extends DeployProxy {
  // What reaches PocketBase of a chunked body over /pb/api/wechat/'s limit (64 KiB).
  chunkedOverLimitReachesUpstream: "nothing" | "the first 64 KiB";
}

const proxies = deployProxies<ProxyUnderTest>(
  "the reverse-proxy tests",
  { ...caddy, chunkedOverLimitReachesUpstream: "the first 64 KiB" },
  { ...nginx, chunkedOverLimitReachesUpstream: "nothing" },
);

const WECHAT_BODY_LIMIT = 64 * 1024;

interface ChunkedAnswer {
  status: number;
  body: string;
}

// A POST whose body goes in 16 KiB chunks without Content-Length (Transfer-Encoding: chunked).
// It stops writing as soon as an answer arrives; a proxy may also close the connection on it.
function postChunked(url: string, totalBytes: number): Promise<ChunkedAnswer | { reset: string }> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => {
        answered = true;
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    req.on("error", (error) => {
      if (!answered) resolve({ reset: String(error) });
      answered = true;
    });
    const piece = Buffer.alloc(16 * 1024, " ");
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes && !answered) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

// Stands in for PocketBase where the bytes it receives are what a test measures.
async function startCountingUpstream() {
  const received: { path: string; bytes: number; complete: boolean }[] = [];
  const server = createServer((req, res) => {
    const entry = { path: req.url ?? "", bytes: 0, complete: false };
    received.push(entry);
    req.on("data", (chunk: Buffer) => (entry.bytes += chunk.length));
    req.on("end", () => {
      entry.complete = true;
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: (path: string) => received.filter((entry) => entry.path === path),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

for (const proxyUnderTest of proxies) {
  describe(`through ${proxyUnderTest.name}`, () => {
    let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
    let instance: PocketBaseInstance;
    let proxy: ReverseProxy;
    let base: string; // what the mini-program is configured with: http://127.0.0.1:<port>/pb
    let superuserToken: string; // one sign-in only: PocketBase's rate limits allow two per 3 s

    beforeAll(async () => {
      sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
      instance = await startPocketBase({ env: wechatEnv(sim.url) });
      proxy = await proxyUnderTest.start(instance.url);
      base = `${proxy.url}/pb`;
      superuserToken = await signInAsSuperuser();
    });

    afterAll(async () => {
      await proxy?.stop();
      await instance?.stop();
      if (instance) instance.remove();
      await sim?.close();
    });

    async function signInAsSuperuser(): Promise<string> {
      const response = await fetch(`${base}/api/collections/_superusers/auth-with-password`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identity: SUPERUSER.email, password: SUPERUSER.password }),
      });
      expect(response.status).toBe(200);
      return (await response.json()).token;
    }

    describe("the mini-program API under /pb/api/", () => {
      it("logs in, completes the profile and renews the token", async () => {
        const client = api(base);
        const login = await client.login(codes.loginAs(uniqueName("proxy")));
        expect(login.status).toBe(200);
        const { token } = login.body;

        const profile = await client.profile(token, validProfile({ users_phone_code: codes.phone("13900139000") }));
        expect(profile.status).toBe(200);
        expect(profile.body.data.user.users_phone).toBe("13900139000");

        const refreshed = await client.refreshToken(token);
        expect(refreshed.status).toBe(200);
        expect(refreshed.body.record.id).toBe(login.body.record.id);
        expect((await client.refreshToken(refreshed.body.token)).status).toBe(200);
      });

      it("uploads an avatar as wx.uploadFile does, and serves it at the URL it answers, without a token", async () => {
        await fetch(`${base}/api/settings`, {
          method: "PATCH",
          headers: { authorization: superuserToken, "content-type": "application/json" },
          body: JSON.stringify({ meta: { appURL: base } }),
        });
        const client = api(base);
        const { token } = await client.signIn(uniqueName("proxyavatar"));
        // Close to the 2 MB limit, far past the 64 KB the other WeChat routes get. The padding
        // after the PNG's end is no part of the image, so what is stored is the PNG alone.
        const pixels = png(200, 200);
        const image = Buffer.concat([pixels, Buffer.alloc(2 * 1024 * 1024 - 200_000)]);
        const upload = await uploadAvatar(token, [filePart(image)], base);
        expect(upload.status).toBe(200);
        expect(upload.body.data.url.startsWith(`${base}/api/files/tbl_user_avatars/`)).toBe(true);
        const served = await fetch(upload.body.data.url);
        expect(served.status).toBe(200);
        expect(Buffer.from(await served.arrayBuffer()).equals(pixels)).toBe(true);
        expect((await client.profile(token, validProfile({ users_picture: upload.body.data.url }))).status).toBe(200);

        const tooLarge = await uploadAvatar(token, [filePart(Buffer.concat([image, Buffer.alloc(2 * 1024 * 1024)]))], base);
        expect(tooLarge.body).toEqual(failureBody(413, "avatar_too_large", "头像文件过大,上限 2 MB"));
      });

      it("passes the routes' own JSON errors through, not the proxy's pages", async () => {
        const client = api(base);
        const oversized = await client.post("/api/wechat/login", undefined, { rawBody: JSON.stringify({ users_wx_code: "x".repeat(20_000) }) });
        expect(oversized.status).toBe(413);
        expect(oversized.body).toEqual(failures.payloadTooLarge);

        // WECHAT_TIMEOUT_S is 2 here: the hook's 504 must arrive before the proxy gives up.
        const slow = await client.login(codes.slow(3_000, uniqueName()));
        expect(slow.status).toBe(504);
        expect(slow.body).toEqual(failures.wechatTimeout);
      });

      it("streams realtime events as they happen", async () => {
        const abort = new AbortController();
        try {
          const response = await fetch(`${base}/api/realtime`, { signal: abort.signal });
          expect(response.status).toBe(200);
          expect(response.headers.get("content-type")).toContain("text/event-stream");
          const reader = response.body!.getReader();
          const first = await Promise.race([
            reader.read(),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no realtime event within 3 s")), 3_000)),
          ]);
          expect(new TextDecoder().decode(first.value)).toContain("event:PB_CONNECT");
        } finally {
          abort.abort();
        }
      });
    });

    describe("the admin UI under /pb/_/", () => {
      it("redirects /pb/_ into the prefix", async () => {
        const response = await fetch(`${base}/_`, { redirect: "manual" });
        expect([301, 307, 308]).toContain(response.status);
        expect(response.headers.get("location")).toBe("/pb/_/");
      });

      it("loads its page, scripts, styles, fonts and lazy chunks through the proxy", async () => {
        const page = new URL(`${base}/_/`);
        const response = await fetch(page);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toContain("text/html");
        const html = await response.text();
        expect(html).toContain("<title>PocketBase</title>");

        const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, path]) => new URL(path, page));
        expect(assets.length).toBeGreaterThan(3);
        for (const asset of assets) expect(asset.pathname.startsWith("/pb/_/"), asset.href).toBe(true);

        const referenced: URL[] = [];
        for (const asset of assets) {
          const loaded = await fetch(asset);
          expect(loaded.status, asset.href).toBe(200);
          const text = await loaded.text();
          // Stylesheets load fonts (url(../fonts/...)); the app script loads its chunks (`./docsList-….js`).
          if (asset.pathname.endsWith(".css")) {
            for (const [, path] of text.matchAll(/url\(([^)"'#]+)\)/g)) if (!path.startsWith("data:")) referenced.push(new URL(path, asset));
          }
          if (asset.pathname.includes("/assets/") && asset.pathname.endsWith(".js")) {
            for (const [, path] of text.matchAll(/["'`](\.\/[\w.-]+\.js)["'`]/g)) referenced.push(new URL(path, asset));
          }
        }
        expect(referenced.length).toBeGreaterThan(0);
        for (const url of referenced) {
          expect(url.pathname.startsWith("/pb/_/"), url.href).toBe(true);
          expect((await fetch(url)).status, url.href).toBe(200);
        }
      });

      it("reaches the API the way the UI does, through its relative base ../", async () => {
        // The UI's SDK builds origin + /pb/_/ + ../ + api/...: the same URL as resolving ../ here.
        const apiBase = new URL("../", `${base}/_/`);
        expect(apiBase.pathname).toBe("/pb/");
        // The UI's first call, before its login form.
        const authMethods = await fetch(new URL("api/collections/_superusers/auth-methods", apiBase), { headers: { "x-request-source": "pbui" } });
        expect(authMethods.status).toBe(200);
        expect((await authMethods.json()).password.enabled).toBe(true);
        const settings = await fetch(new URL("api/settings", apiBase), { headers: { authorization: superuserToken } });
        expect(settings.status).toBe(200);
      });
    });

    // A POST through the proxy from another loopback address (127.0.0.0/8 is all local), so that the
    // client differs from the proxy's own 127.0.0.1, which PocketBase sees as the connection's peer.
    // The client also forges both headers, which the proxy must overwrite or extend.
    function postFrom(clientIp: string, path: string): Promise<number> {
      return new Promise((resolve, reject) => {
        const req = request(
          new URL(`${base}${path}`),
          {
            method: "POST",
            localAddress: clientIp,
            headers: { "content-type": "application/json", "x-real-ip": "203.0.113.7", "x-forwarded-for": "203.0.113.8" },
          },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
    }

    async function patchSettings(settings: Record<string, unknown>) {
      const response = await fetch(`${base}/api/settings`, {
        method: "PATCH",
        headers: { "content-type": "application/json", authorization: superuserToken },
        body: JSON.stringify(settings),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return response.json();
    }

    async function requestLog(marker: string): Promise<Record<string, unknown>> {
      // PocketBase writes request logs in batches, a moment after the answer.
      for (let attempt = 0; attempt < 50; attempt++) {
        const response = await fetch(`${base}/api/logs?perPage=200&sort=-created`, { headers: { authorization: superuserToken } });
        const logs = (await response.json()).items as { data: Record<string, unknown> }[];
        const entry = logs.find(({ data }) => String(data.url ?? "").includes(marker));
        if (entry) return entry.data;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`no request log for ${marker}`);
    }

    describe("bodies over /pb/api/wechat/'s limit (64 KiB)", () => {
      it("get the contract's 413, with a Content-Length or chunked", async () => {
        const withLength = await api(base).post("/api/wechat/login", undefined, { rawBody: " ".repeat(WECHAT_BODY_LIMIT + 1024) });
        expect(withLength.status).toBe(413);
        expect(withLength.body).toEqual(failures.payloadTooLarge);

        const chunked = await postChunked(`${base}/api/wechat/login`, 128 * 1024);
        expect(chunked).toEqual({ status: 413, body: JSON.stringify(failures.payloadTooLarge) });
      });

      it(`pass ${proxyUnderTest.chunkedOverLimitReachesUpstream} of a chunked body on to PocketBase`, async () => {
        const upstream = await startCountingUpstream();
        const counted = await proxyUnderTest.start(upstream.url);
        try {
          const path = "/api/wechat/login";
          const answer = await postChunked(`${counted.url}/pb${path}`, 8 * 1024 * 1024);
          // Caddy closes the connection while the client still writes, which may cut the answer.
          if ("status" in answer) expect(answer.status).toBe(413);
          await new Promise((resolve) => setTimeout(resolve, 200));
          const reached = upstream.received(path);
          if (proxyUnderTest.chunkedOverLimitReachesUpstream === "nothing") {
            expect(reached).toEqual([]);
          } else {
            expect(reached).toHaveLength(1);
            expect(reached[0]).toMatchObject({ bytes: WECHAT_BODY_LIMIT, complete: false });
          }
        } finally {
          await counted.stop();
          await upstream.close();
        }
      });

      it("leave the rest of /pb/ at PocketBase's own 32 MB, the records update for wx.uploadFile included", async () => {
        const upstream = await startCountingUpstream();
        const counted = await proxyUnderTest.start(upstream.url);
        try {
          for (const path of ["/api/collections/anything/records", "/api/wechat/records/anything/abc"]) {
            const answer = await postChunked(`${counted.url}/pb${path}`, 1024 * 1024);
            expect(answer).toEqual({ status: 200, body: "{}" });
            expect(upstream.received(path)).toEqual([{ path, bytes: 1024 * 1024, complete: true }]);
          }
        } finally {
          await counted.stop();
          await upstream.close();
        }
      });
    });

    describe("the client's IP", () => {
      for (const trustedProxy of [
        { headers: ["X-Real-IP"], useLeftmostIP: false },
        { headers: ["X-Forwarded-For"], useLeftmostIP: false },
      ]) {
        it(`reaches PocketBase's logs through ${trustedProxy.headers[0]}, whatever the client forged`, async () => {
          await patchSettings({ trustedProxy });
          const marker = `probe=${randomUUID()}`;
          expect(await postFrom("127.0.0.2", `/api/system/health?${marker}`)).toBe(200);
          expect(await requestLog(marker)).toMatchObject({ userIP: "127.0.0.2", remoteIP: "127.0.0.1" });
        });
      }

      it("is what PocketBase's rate limits count by", async () => {
        const { rateLimits } = await patchSettings({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
        const probeRule = { label: "POST /api/system/test-helloworld", maxRequests: 2, duration: 60, audience: "" };
        await patchSettings({ rateLimits: { ...rateLimits, enabled: true, rules: [probeRule, ...rateLimits.rules] } });

        const first = [];
        for (let i = 0; i < 3; i++) first.push(await postFrom("127.0.0.2", "/api/system/test-helloworld"));
        expect(first).toEqual([200, 200, 429]);
        expect(await postFrom("127.0.0.3", "/api/system/test-helloworld")).toBe(200);
      });
    });
  });
}
