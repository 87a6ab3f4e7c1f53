// The real, pinned PocketBase binary with the built hooks and migrations. Never a mock.
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { startPocketBase, type PocketBaseInstance, type PocketBaseOptions } from "../../scripts/pocketbase-process.mjs";
import { OTHER_APPS, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "./wechat";

export { SUPERUSER, exemptLoopbackFromRateLimits, freePort, startPocketBase, type PocketBaseInstance } from "../../scripts/pocketbase-process.mjs";

// A WeChat simulator and a PocketBase pointed at it, of the caller's own, for tests that change
// settings or stop the instance. `options.env` overrides the WECHAT_* settings; close() stops and
// removes both.
export async function startWithSimulator(options: PocketBaseOptions = {}) {
  const simulator = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET, apps: OTHER_APPS });
  let instance: PocketBaseInstance;
  try {
    instance = await startPocketBase({ ...options, env: wechatEnv(simulator.url, options.env) });
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return {
    instance,
    simulator,
    async close() {
      await instance.stop();
      instance.remove();
      await simulator.close();
    },
  };
}
