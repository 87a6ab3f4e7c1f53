import { failures } from "../errors";
import { readWechatConfig } from "../config";
import { createWechatClient, type WechatClient } from "./client";

export function wechatClientFromEnvironment(): WechatClient {
  const config = readWechatConfig();
  if (!config) throw failures.wechatNotConfigured();
  return createWechatClient({
    appId: config.appId,
    secret: config.secret,
    baseUrl: config.apiBase,
    timeoutSeconds: config.timeoutSeconds,
    forcedRefreshDailyBudget: config.forcedRefreshDailyBudget,
  });
}
