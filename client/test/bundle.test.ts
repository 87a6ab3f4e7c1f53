// The built dist/index.js as WeChat would load it: one CommonJS file in ES2017 that needs nothing
// but `wx` and the language itself.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "acorn";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: an .mjs script without types
import { bundle as buildBundle } from "../scripts/build.mjs";
// @ts-expect-error: an .mjs script without types
import { generatedPath, generateTypes } from "../scripts/generate-types.mjs";
import { loadInBareRealm } from "./bare-realm";
import { fakeWx } from "./fake-wx";

let bundle: string;

beforeAll(async () => {
  // Built beside, not into dist/: mini-program.test.ts packs dist/ at the same time.
  const outfile = join(mkdtempSync(join(tmpdir(), "bai-sdk-bundle-")), "index.js");
  await buildBundle(outfile);
  bundle = readFileSync(outfile, "utf8");
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
});

describe("src/generated/openapi.ts", () => {
  it("is what openapi-typescript makes of spec/openapi.yaml today (run npm run generate in client/)", async () => {
    expect(readFileSync(generatedPath, "utf8")).toBe(await generateTypes());
  });
});
