// Configuration from the process environment, fixed from start to stop: a change needs a restart.
import { DEFAULT_DAILY_FORCED_REFRESH_BUDGET, WECHAT_DAILY_FORCED_REFRESH_CAP } from "./wechat/forced-refresh";

export interface WechatConfig {
  appId: string;
  secret: string;
  apiBase: string;
  timeoutSeconds: number;
  forcedRefreshDailyBudget: number;
}

export const DEFAULT_WECHAT_API_BASE = "https://api.weixin.qq.com";
export const DEFAULT_WECHAT_TIMEOUT_SECONDS = 5;
const MAX_FORCED_REFRESH_DAILY_BUDGET = WECHAT_DAILY_FORCED_REFRESH_CAP - 1;

// null when the appid or secret is missing: the server still runs, login answers 500.
export function readWechatConfig(getenv: (name: string) => string = $os.getenv): WechatConfig | null {
  const appId = getenv("WECHAT_APPID").trim();
  const secret = getenv("WECHAT_SECRET").trim();
  if (appId === "" || secret === "") return null;
  return {
    appId,
    secret,
    apiBase: getenv("WECHAT_API_BASE").trim() || DEFAULT_WECHAT_API_BASE,
    timeoutSeconds: parseTimeoutSeconds(getenv("WECHAT_TIMEOUT_S")),
    forcedRefreshDailyBudget: parseForcedRefreshDailyBudget(getenv("WECHAT_FORCED_REFRESH_DAILY_BUDGET")),
  };
}

// $http.send takes whole seconds.
function parseTimeoutSeconds(raw: string): number {
  const seconds = Number(raw.trim());
  return raw.trim() !== "" && Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 ? seconds : DEFAULT_WECHAT_TIMEOUT_SECONDS;
}

// 0 never forces a refresh; at most 19, so that ops always keep one of WeChat's 20 for a leak.
function parseForcedRefreshDailyBudget(raw: string): number {
  const budget = Number(raw.trim());
  return raw.trim() !== "" && Number.isInteger(budget) && budget >= 0 && budget <= MAX_FORCED_REFRESH_DAILY_BUDGET ? budget : DEFAULT_DAILY_FORCED_REFRESH_BUDGET;
}
