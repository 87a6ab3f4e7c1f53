// Builds the bundle once, then starts the WeChat simulator and one real PocketBase that
// the end-to-end files share. Files that need their own instance start one themselves.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { removeDataDir, startPocketBase } from "./pocketbase";
import { WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "./wechat";

declare module "vitest" {
  export interface ProvidedContext {
    pocketbaseUrl: string;
    simulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.BAI_SKIP_BUILD !== "1") execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const simulator = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
  const pocketbase = await startPocketBase({ env: wechatEnv(simulator.url) });
  await exemptLoopbackFromRateLimits(pocketbase.url, await pocketbase.superuserToken());
  project.provide("pocketbaseUrl", pocketbase.url);
  project.provide("simulatorUrl", simulator.url);
  return async () => {
    await pocketbase.stop();
    await simulator.close();
    removeDataDir(pocketbase);
  };
}

// Every request of the suite comes from 127.0.0.1; the rate limits themselves are proven
// in rate-limits.test.ts with distinct client IPs.
async function exemptLoopbackFromRateLimits(url: string, token: string) {
  const response = await fetch(`${url}/api/settings`, {
    method: "PATCH",
    headers: { authorization: token, "content-type": "application/json" },
    body: JSON.stringify({ rateLimits: { excludedIPs: ["127.0.0.1", "::1"] } }),
  });
  if (!response.ok) throw new Error(`could not exempt loopback from rate limits: ${await response.text()}`);
}
