// WeChat's risk rank of someone about to register (getuserriskrank, scene 0, with the client IP
// PocketBase resolved through the proxy header, the openid, no phone number). Asked only when a
// login would create a user. Every failure fails open: a timeout, an errcode (-1 busy, 48001 no
// permission for the API, 61010 openid not seen in the last 30 minutes, …), an HTTP status, an
// unreadable answer or no access token: the rank is unknown and the registration goes on.
import { WechatAccessTokenUnavailableError, WechatErrcodeError, WechatHttpStatusError, WechatNetworkError, WechatUnreadableResponseError } from "../wechat/errors";
import type { WechatClient } from "../wechat/client";
import type { RiskConfig } from "./risk-config";

export type RiskVerdict = "pass" | "review" | "block";

export interface RiskFailure {
  kind: "timeout" | "network" | "errcode" | "http_status" | "unreadable" | "access_token" | "unexpected";
  errcode?: number;
}

export interface RiskAssessment {
  // null when WeChat gave no rank.
  rank: number | null;
  verdict: RiskVerdict;
  failure: RiskFailure | null;
}

// An unknown rank passes: a failure fails open.
export function riskVerdict(rank: number | null, config: Pick<RiskConfig, "blockFromRank" | "reviewFromRank">): RiskVerdict {
  if (rank === null) return "pass";
  if (rank >= config.blockFromRank) return "block";
  if (rank >= config.reviewFromRank) return "review";
  return "pass";
}

export function riskFailureOf(error: unknown): RiskFailure {
  if (error instanceof WechatNetworkError) return { kind: error.timedOut ? "timeout" : "network" };
  if (error instanceof WechatErrcodeError) return { kind: "errcode", errcode: error.errcode };
  if (error instanceof WechatHttpStatusError) return { kind: "http_status" };
  if (error instanceof WechatUnreadableResponseError) return { kind: "unreadable" };
  if (error instanceof WechatAccessTokenUnavailableError) return { kind: "access_token" };
  return { kind: "unexpected" };
}

export function assessRegistrationRisk(wechat: WechatClient, openid: string, clientIp: string, config: RiskConfig): RiskAssessment {
  try {
    const rank = wechat.getUserRiskRank({ openid, clientIp });
    return { rank, verdict: riskVerdict(rank, config), failure: null };
  } catch (error) {
    return { rank: null, verdict: "pass", failure: riskFailureOf(error) };
  }
}

// risk_rank's value (tbl_user_registrations): "0" … "4", or 未知 when WeChat gave no rank.
export const storedRiskRank = (rank: number | null): string => (rank === null ? "未知" : String(rank));
