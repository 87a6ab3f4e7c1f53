import { failures } from "../errors";
import { readWechatConfig } from "../config";
import { createWechatClient, type WechatClient } from "./client";

// The environment is fixed for the life of the process, so each VM builds its client once;
// what the client shares with other VMs (the access token, the forced-refresh gate) lives in
// $app.store().
let client: WechatClient | undefined;

export function wechatClientFromEnvironment(): WechatClient {
  if (client) return client;
  const config = readWechatConfig();
  if (!config) throw failures.wechatNotConfigured();
  client = createWechatClient({
    appId: config.appId,
    secret: config.secret,
    baseUrl: config.apiBase,
    timeoutSeconds: config.timeoutSeconds,
    forcedRefreshDailyBudget: config.forcedRefreshDailyBudget,
  });
  return client;
}
