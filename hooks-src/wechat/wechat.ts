import { failures } from "../errors";
import { readWechatConfig } from "../config";
import { readWechatApps, type WechatApp } from "./apps";
import { createWechatClient, type WechatClient } from "./client";

// The environment is fixed for the life of the process, so each VM builds each app's client once;
// what a client shares with other VMs (its access token, its forced-refresh gate, both per appid)
// lives in $app.store().
const clients = new Map<string, WechatClient>();
let apps: WechatApp[] | undefined;

export function wechatApps(): WechatApp[] {
  return (apps ??= readWechatApps().apps);
}

// The primary mini-program's client (WECHAT_APPID).
export function wechatClientFromEnvironment(): WechatClient {
  const primary = wechatApps().find((app) => app.primary);
  if (!primary) throw failures.wechatNotConfigured();
  return wechatClientFor(primary);
}

export function wechatClientFor(app: WechatApp): WechatClient {
  const existing = clients.get(app.appId);
  if (existing) return existing;
  const config = readWechatConfig();
  if (!config) throw failures.wechatNotConfigured();
  const client = createWechatClient({
    appId: app.appId,
    secret: app.secret,
    baseUrl: config.apiBase,
    timeoutSeconds: config.timeoutSeconds,
    forcedRefreshDailyBudget: config.forcedRefreshDailyBudget,
  });
  clients.set(app.appId, client);
  return client;
}
