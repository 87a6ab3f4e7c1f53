// What the bundles do when they load. Every VM PocketBase starts (--hooksPool of them, plus one
// for each hook call that finds them all busy) require()s a bundle before its first call, so
// a bundle's top level only declares: a table is built by its first use, not at load.
// The bundle runs here under V8's block coverage, which counts how often each block ran.
import * as esbuild from "esbuild";
import { Session } from "node:inspector/promises";
import { runInThisContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { bundleOptions } from "../scripts/bundle-options.mjs";

const BUNDLE_URL = "bai-bundle-load-test.js";
// A loop over a table the size of the route table runs a dozen times; decoding a Unicode table
// or building AES's S-box runs thousands.
const MOST_RUNS_OF_ANY_BLOCK = 64;

async function builtBundles(): Promise<esbuild.OutputFile[]> {
  const { outputFiles } = await esbuild.build({ ...bundleOptions(), write: false, logLevel: "silent" });
  return outputFiles;
}

async function blockRunsWhileLoading(bundle: esbuild.OutputFile): Promise<Array<{ name: string; count: number }>> {
  const load = runInThisContext(`(function (module, exports) {${bundle.text}\n})`, { filename: BUNDLE_URL });
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
    const module = { exports: {} };
    load(module, module.exports);
    const { result } = await session.post("Profiler.takePreciseCoverage");
    const script = result.find((entry) => entry.url === BUNDLE_URL);
    return script!.functions.flatMap((fn) => fn.ranges.map((range) => ({ name: fn.functionName || "(top level)", count: range.count })));
  } finally {
    await session.post("Profiler.stopPreciseCoverage");
    session.disconnect();
  }
}

describe("each bundle, when it loads", () => {
  it("runs no block more than a few dozen times", async () => {
    const bundles = await builtBundles();
    expect(bundles).toHaveLength(3);
    for (const bundle of bundles) {
      const runs = await blockRunsWhileLoading(bundle);
      expect(runs.length).toBeGreaterThan(0);
      const busiest = runs.reduce((most, run) => (run.count > most.count ? run : most));
      expect(busiest.count, `${busiest.name} runs ${busiest.count} times as ${bundle.path} loads`).toBeLessThanOrEqual(MOST_RUNS_OF_ANY_BLOCK);
    }
  });
});

// The hot bundle is what a VM built for one hot request loads (registry/hot-routes.ts): a route added
// there that brings a large module along (avatars, push, staff tools) makes every such VM pay for it.
describe("the hot bundle", () => {
  it("holds at most two thirds of the whole one", async () => {
    const bundles = await builtBundles();
    const size = (name: string) => bundles.find((bundle) => bundle.path.endsWith(`/${name}`))!.contents.length;
    expect(size("bai_wechat_auth_hot.js")).toBeLessThan((2 / 3) * size("bai_wechat_auth.js"));
  });
});

// The lean bundle is what refresh-token and the health check load (registry/lean-routes.ts): every VM
// that serves one holds it, beside the hot one if it serves those too.
describe("the lean bundle", () => {
  it("holds at most two fifths of the hot one", async () => {
    const bundles = await builtBundles();
    const size = (name: string) => bundles.find((bundle) => bundle.path.endsWith(`/${name}`))!.contents.length;
    expect(size("bai_wechat_auth_lean.js")).toBeLessThan((2 / 5) * size("bai_wechat_auth_hot.js"));
  });
});

