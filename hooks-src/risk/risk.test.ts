import { describe, expect, it } from "vitest";
import type { WechatClient } from "../wechat/client";
import { WechatAccessTokenUnavailableError, WechatErrcodeError, WechatHttpStatusError, WechatNetworkError, WechatUnreadableResponseError } from "../wechat/errors";
import { assessRegistrationRisk, riskFailureOf, riskVerdict, storedRiskRank } from "./risk-check";
import { readRiskConfig, type RiskConfig } from "./risk-config";

const env = (values: Record<string, string>) => (name: string) => values[name] ?? "";
const enforce: RiskConfig = { mode: "enforce", blockFromRank: 4, reviewFromRank: 3, problems: [] };

describe("readRiskConfig", () => {
  it("is off by default, blocking from rank 4 and reviewing from 3, as WeChat's guide reads the ranks", () => {
    expect(readRiskConfig(env({}))).toEqual({ mode: "off", blockFromRank: 4, reviewFromRank: 3, problems: [] });
    expect(readRiskConfig(env({ RISK_CHECK: "Enforce", RISK_BLOCK_RANK: "3", RISK_REVIEW_RANK: "5" }))).toEqual({ mode: "enforce", blockFromRank: 3, reviewFromRank: 5, problems: [] });
  });

  it("keeps the defaults for what it does not understand, and says so", () => {
    const config = readRiskConfig(env({ RISK_CHECK: "on", RISK_BLOCK_RANK: "0", RISK_REVIEW_RANK: "two" }));
    expect(config).toMatchObject({ mode: "off", blockFromRank: 4, reviewFromRank: 3 });
    expect(config.problems).toHaveLength(3);
  });
});

describe("riskVerdict", () => {
  it.each([
    [0, "pass"], [1, "pass"], [2, "pass"], [3, "review"], [4, "block"], [null, "pass"],
  ] as const)("rank %s is %s", (rank, verdict) => {
    expect(riskVerdict(rank, enforce)).toBe(verdict);
  });

  it("blocks before it reviews when the two ranks overlap", () => {
    expect(riskVerdict(3, { blockFromRank: 3, reviewFromRank: 2 })).toBe("block");
  });
});

describe("assessRegistrationRisk", () => {
  const client = (answer: () => number) => ({ getUserRiskRank: answer }) as unknown as WechatClient;

  it("asks with the openid and the client IP", () => {
    const asked: unknown[] = [];
    const assessment = assessRegistrationRisk({ getUserRiskRank: (request: unknown) => (asked.push(request), 3) } as unknown as WechatClient, "o1", "203.0.113.9", enforce);
    expect(asked).toEqual([{ openid: "o1", clientIp: "203.0.113.9" }]);
    expect(assessment).toEqual({ rank: 3, verdict: "review", failure: null });
  });

  it.each([
    [new WechatNetworkError(true), { kind: "timeout" }],
    [new WechatNetworkError(false), { kind: "network" }],
    [new WechatErrcodeError(61010, "openid expired", "getuserriskrank"), { kind: "errcode", errcode: 61010 }],
    [new WechatErrcodeError(-1, "system error", "getuserriskrank"), { kind: "errcode", errcode: -1 }],
    [new WechatHttpStatusError(500), { kind: "http_status" }],
    [new WechatUnreadableResponseError("x"), { kind: "unreadable" }],
    [new WechatAccessTokenUnavailableError("refreshing"), { kind: "access_token" }],
    [new Error("boom"), { kind: "unexpected" }],
  ])("fails open on %s", (error, failure) => {
    expect(riskFailureOf(error)).toEqual(failure);
    expect(assessRegistrationRisk(client(() => { throw error; }), "o1", "::1", enforce)).toEqual({ rank: null, verdict: "pass", failure });
  });

  it("stores an unknown rank as 未知", () => {
    expect(storedRiskRank(null)).toBe("未知");
    expect(storedRiskRank(0)).toBe("0");
  });
});
