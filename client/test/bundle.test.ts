// The built dist/index.js as WeChat would load it: one CommonJS file in ES2017 that needs nothing
// but `wx` and the language itself.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "acorn";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: an .mjs script without types
import { bundle as buildBundle, measure } from "../scripts/build.mjs";
// @ts-expect-error: an .mjs script without types
import { generatedPath, generateTypes } from "../scripts/generate-types.mjs";
import { loadInBareRealm } from "./bare-realm";
import { fakeWx } from "./fake-wx";

let bundle: string;
let moduleFile: string;

beforeAll(async () => {
  // Built beside, not into dist/: mini-program.test.ts packs dist/ at the same time.
  const dir = mkdtempSync(join(tmpdir(), "bai-sdk-bundle-"));
  await buildBundle(join(dir, "index.js"));
  bundle = readFileSync(join(dir, "index.js"), "utf8");
  moduleFile = join(dir, "index.mjs");
  await buildBundle(moduleFile, "esm");
});


describe("the bundle (dist/index.js)", () => {
  it("parses as ES2017 CommonJS", () => {
    expect(() => parse(bundle, { ecmaVersion: 2017, sourceType: "script" })).not.toThrow();
  });

  it("uses no Node built-in, no fetch, no AbortController, no atob", () => {
    expect(bundle).not.toMatch(/\b(require\(|process\.|Buffer|globalThis|fetch\(|AbortController|XMLHttpRequest|atob\(|btoa\()/);
  });

  it("logs in and calls the API in a realm with only wx, timers and console", async () => {
    const sdk = loadInBareRealm(bundle);
    const { wx, server, loginCalls } = fakeWx();
    const client = sdk.createClient({ baseUrl: "https://bai.example/pb", wx });
    const user = await client.ensureLogin();
    await client.request("/api/things");

    expect(user.pb_id).toBe("abc123xyz456789");
    expect(loginCalls()).toBe(1);
    expect(server.requests.map((request) => request.url)).toEqual(["https://bai.example/pb/api/wechat/login", "https://bai.example/pb/api/things"]);
    const error = await client.request("/api/nowhere").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(sdk.BaiClientError);
    expect(error).toMatchObject({ status: 404, msg: "Not Found" });
  });

  it("receives realtime events there, decoding UTF-8 by hand", async () => {
    const sdk = loadInBareRealm(bundle);
    const { wx, server } = fakeWx();
    const client = sdk.createClient({ baseUrl: "https://bai.example/pb", wx });
    await client.login();
    const seen: unknown[] = [];
    const subscribed = client.collection("notes").subscribe("*", (event: unknown) => seen.push(event));
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.streams[0].connect("c1");
    await subscribed;
    server.streams[0].send('id:c1\nevent:notes/*\ndata:{"action":"create","record":{"title":"张三 🙂"}}\n\n', 1);
    expect(JSON.stringify(seen)).toBe('[{"action":"create","record":{"title":"张三 🙂"}}]');
  });
});

describe("size", () => {
  // Budgets with a little room; the measured sizes are in client/README.md.
  // The login-only part holds phone login, invites and identities besides login, profile and renewal.
  it("is at most 8 KB minified and gzipped, and a login-only app keeps at most 4.5 KB of it", async () => {
    const { gzipped, loginOnly } = await measure();
    expect(gzipped).toBeLessThanOrEqual(8 * 1024);
    expect(loginOnly.gzipped).toBeLessThanOrEqual(4.5 * 1024);
  });

  it("dist/index.mjs tree-shakes: an app importing createAuthClient alone gets no records or realtime code", async () => {
    const entry = join(mkdtempSync(join(tmpdir(), "bai-sdk-app-")), "app.mjs");
    writeFileSync(entry, `import { createAuthClient } from ${JSON.stringify(moduleFile)};\nexport const bai = createAuthClient({ baseUrl: "https://bai.example/pb" });\n`);
    const app = await esbuild.build({ entryPoints: [entry], bundle: true, format: "esm", minify: true, write: false });
    const code = app.outputFiles[0].text;
    expect(code).toContain("/api/wechat/login");
    for (const absent of ["text/event-stream", "@jsonPayload", "/api/wechat/records", "/api/files/"]) expect(code).not.toContain(absent);
  });

  it("dist/index.mjs parses as an ES2017 module", () => {
    expect(() => parse(readFileSync(moduleFile, "utf8"), { ecmaVersion: 2017, sourceType: "module" })).not.toThrow();
  });
});

describe("src/generated/openapi.ts", () => {
  it("is what openapi-typescript makes of spec/openapi.yaml today (run npm run generate in client/)", async () => {
    expect(readFileSync(generatedPath, "utf8")).toBe(await generateTypes());
  });
});
