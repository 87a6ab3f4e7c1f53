import { describe, expect, it } from "vitest";
import { readWechatConfig } from "./config";

const environment = (values: Record<string, string>) => (name: string) => values[name] ?? "";

describe("readWechatConfig", () => {
  it("is null without an appid or a secret", () => {
    expect(readWechatConfig(environment({ WECHAT_APPID: "wx1" }))).toBeNull();
    expect(readWechatConfig(environment({ WECHAT_SECRET: "s" }))).toBeNull();
    expect(readWechatConfig(environment({ WECHAT_APPID: " ", WECHAT_SECRET: "s" }))).toBeNull();
  });

  it("defaults to WeChat's API and a 5 s timeout", () => {
    expect(readWechatConfig(environment({ WECHAT_APPID: "wx1", WECHAT_SECRET: "s" }))).toEqual({
      appId: "wx1",
      secret: "s",
      apiBase: "https://api.weixin.qq.com",
      timeoutSeconds: 5,
      forcedRefreshDailyBudget: 15,
    });
  });

  it.each([
    ["2", 2],
    ["60", 60],
    ["0", 5],
    ["-1", 5],
    ["1.5", 5],
    ["soon", 5],
  ])("reads WECHAT_TIMEOUT_S=%s as %i s", (raw, seconds) => {
    const config = readWechatConfig(environment({ WECHAT_APPID: "wx1", WECHAT_SECRET: "s", WECHAT_TIMEOUT_S: raw }));
    expect(config?.timeoutSeconds).toBe(seconds);
  });

  it.each([
    ["0", 0],
    ["19", 19],
    ["20", 15],
    ["-1", 15],
    ["2.5", 15],
    ["", 15],
  ])("reads WECHAT_FORCED_REFRESH_DAILY_BUDGET=%s as %i", (raw, budget) => {
    const config = readWechatConfig(environment({ WECHAT_APPID: "wx1", WECHAT_SECRET: "s", WECHAT_FORCED_REFRESH_DAILY_BUDGET: raw }));
    expect(config?.forcedRefreshDailyBudget).toBe(budget);
  });
});
