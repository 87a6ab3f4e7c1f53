// WeChat's content security API (v2), through the WeChat client (its cached access token, its
// retry on a stale one, its four kinds of failure):
//   msgSecCheck      POST /wxa/msg_sec_check        → result.suggest: pass | review | risky
//   mediaCheckAsync  POST /wxa/media_check_async    → trace_id; the verdict comes later, pushed
import type { WechatClient } from "../wechat/client";
import { WechatUnreadableResponseError } from "../wechat/errors";

export type Suggest = "pass" | "review" | "risky";

// scene 1: 资料 (a user's profile), as WeChat defines the scenes.
const PROFILE_SCENE = 1;

export function checkText(client: WechatClient, openid: string, content: string): Suggest {
  const answer = client.postWithAccessToken("msg_sec_check", { content, version: 2, scene: PROFILE_SCENE, openid });
  const result = answer.result;
  const suggest = typeof result === "object" && result !== null ? (result as { suggest?: unknown }).suggest : undefined;
  if (suggest !== "pass" && suggest !== "review" && suggest !== "risky") throw new WechatUnreadableResponseError("msg_sec_check answered without a suggest");
  return suggest;
}

export function submitImageCheck(client: WechatClient, openid: string, mediaUrl: string): string {
  const answer = client.postWithAccessToken("media_check_async", { media_url: mediaUrl, media_type: 2, version: 2, scene: PROFILE_SCENE, openid });
  const traceId = answer.trace_id ?? answer.traceId; // the HTTPS API says trace_id; cloud calls answer traceId
  if (typeof traceId !== "string" || traceId === "") throw new WechatUnreadableResponseError("media_check_async answered without a trace_id");
  return traceId;
}
