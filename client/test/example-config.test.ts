// examples/miniprogram/utils/config.js: the server each version of the mini-program uses.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error: an .mjs script without types
import { clientRoot } from "../scripts/build.mjs";
import type { WxApi } from "../src/wx";
import { loadMiniProgram } from "./mini-program-loader";

const repositoryRoot = join(clientRoot, "..");
const exampleRoot = join(repositoryRoot, "examples", "miniprogram");
const productionServer: string = parse(readFileSync(join(repositoryRoot, "spec", "openapi.yaml"), "utf8")).servers[0].url;

function configRunningAs(envVersion: string) {
  const wx = { getAccountInfoSync: () => ({ miniProgram: { appId: "touristappid", envVersion, version: "" } }) } as unknown as WxApi;
  return loadMiniProgram(exampleRoot, wx).module("utils/config.js");
}

const isLocal = (url: string) => /^http:\/\/|\/\/(127\.|localhost|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\])/.test(url);

describe("the example's base URL", () => {
  it("is the local server npm start serves in the develop version", () => {
    expect(configRunningAs("develop").currentBaseUrl()).toBe("http://127.0.0.1:8090");
    expect(readFileSync(join(repositoryRoot, "scripts", "start.mjs"), "utf8")).toContain("--http=127.0.0.1:8090");
  });

  it.each(["trial", "release", "", "something new"])("is the contract's production server over https in the %j version, never a local address", (envVersion) => {
    const url = configRunningAs(envVersion).currentBaseUrl();
    expect(url).toBe(productionServer);
    expect(url).toMatch(/^https:\/\//);
    expect(isLocal(url)).toBe(false);
  });
});
