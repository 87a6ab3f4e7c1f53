// Builds the bundle once, then starts the WeChat simulator and one real PocketBase that
// the end-to-end files share. Files that need their own instance start one themselves.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { findLeaks } from "./leaks";
import { allLogs } from "./logs";
import { auditTrail } from "./audit-trail";
import { exemptLoopbackFromRateLimits, startWithSimulator } from "./pocketbase";
import { simulator } from "./wechat";

declare module "vitest" {
  export interface ProvidedContext {
    pocketbaseUrl: string;
    simulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.BAI_SKIP_BUILD !== "1") execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
  const shared = await startWithSimulator();
  const { instance: pocketbase } = shared;
  await exemptLoopbackFromRateLimits(pocketbase);
  project.provide("pocketbaseUrl", pocketbase.url);
  project.provide("simulatorUrl", shared.simulator.url);
  return async () => {
    // After every file has run against this instance: nothing secret may be in its logs or console.
    // vitest reports an error thrown here but still exits 0, so every failure sets the exit code.
    try {
      const calls = await simulator(shared.simulator.url).calls("/wxa/business/getuserphonenumber");
      const snsTokens = await simulator(shared.simulator.url).snsTokens();
      const logs = await allLogs(pocketbase);
      const trail = await auditTrail(pocketbase.url).find();
      await pocketbase.stop();
      const places: Array<[string, string]> = [
        ["PocketBase's logs", JSON.stringify(logs)],
        ["The audit trail", JSON.stringify(trail)],
        ["PocketBase's console", pocketbase.output()],
      ];
      const leaks = findLeaks(places, [...calls.map((call) => call.query.access_token).filter(Boolean), ...snsTokens]);
      if (leaks.length > 0) {
        console.error(`Secrets leaked during the suite:\n${leaks.join("\n")}`);
        process.exitCode = 1;
      }
    } catch (error) {
      console.error("The scan for leaked secrets failed:", error);
      process.exitCode = 1;
    } finally {
      await shared.close();
    }
  };
}
