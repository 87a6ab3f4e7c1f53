// The simulator's content security: msgSecCheck v2 and mediaCheckAsync v2, with WeChat's
// paths, bodies and answers, and mediaCheckAsync's verdict really pushed to the message-push
// endpoint it is told about, in 明文模式 or 安全模式, signed correctly or forged on request.
//
//   POST /wxa/msg_sec_check?access_token=     {"content","version":2,"scene":1..4,"openid"}
//     the content picks the answer: "risky"/"违规" → risky (label 20001), "review"/"待审" → review
//     (20002), "secbusy" → errcode -1, "secratelimit" → 45011, "sec500" → HTTP 500,
//     "secgarbage" → non-JSON, "sechang" → no answer; anything else → pass (100)
//   POST /wxa/media_check_async?access_token= {"media_url","media_type":2,"version":2,"scene","openid"}
//     answers {errcode:0, trace_id} at once; then downloads media_url (as WeChat must: the URL has
//     to be public) and pushes a wxa_media_check event whose suggest the openid picks:
//     osim_<name> with "risky" in <name> → risky, "review" → review, otherwise pass;
//     a URL it cannot download → risky is never guessed: it pushes errcode 1 with no suggest;
//     an openid with "mediabusy" → errcode -1 at once, nothing pushed.
//
// Control API (the simulator mounts these under /__sim/):
//   POST /__sim/push/target      {"url","token","encodingAesKey"?}  where and how to push ({} = nowhere)
//   POST /__sim/push/forge       {"mode": null | "signature" | "none" | "appid"}  forge the next pushes
//   GET  /__sim/push/deliveries  {"deliveries":[{traceId, suggest, mediaStatus, status, text}]}
import { randomBytes } from "node:crypto";
import { deliverPush, mediaCheckEvent, signedPush } from "./wechat-push.mjs";

const FORGE_MODES = new Set([null, "signature", "none", "appid"]);
const TEXT_FAILURES = { secbusy: [-1, "system error"], secratelimit: [45011, "api minute-quota reach limit mustslower retry next minute"] };
const TRANSPORT = ["sec500", "secgarbage", "sechang"];

const traceIdOf = () => `${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;

export function textVerdictOf(content) {
  if (/risky|违规/.test(content)) return { suggest: "risky", label: 20001 };
  if (/review|待审/.test(content)) return { suggest: "review", label: 20002 };
  return { suggest: "pass", label: 100 };
}

export const mediaVerdictOf = (openid) => (/risky/.test(openid) ? "risky" : /review/.test(openid) ? "review" : "pass");

// reply(payload) answers 200 JSON; fail(kind) answers a transport failure ("http500", "garbage", "hang").
// wechatError(errcode, errmsg) makes an error answer as the simulator's others look.
export function createContentSecurity({ appId, delay, wechatError, verdictDelayMs = 50 }) {
  const state = {};
  const reset = () => Object.assign(state, { target: null, forge: null, deliveries: [], inFlight: new Set() });
  reset();

  function checkCommonFields(body) {
    if (!body) return [47001, "data format error"];
    if (body.version !== 2) return [47001, "data format error hint: version must be 2"];
    if (typeof body.openid !== "string" || body.openid === "") return [40003, "invalid openid"];
    if (![1, 2, 3, 4].includes(body.scene)) return [47001, "data format error hint: invalid scene"];
    return null;
  }

  function msgSecCheck(body, { reply, fail }) {
    const problem = checkCommonFields(body);
    if (problem) return reply(wechatError(...problem));
    if (typeof body.content !== "string" || body.content === "") return reply(wechatError(47001, "data format error hint: content"));
    const transport = TRANSPORT.find((kind) => body.content.includes(kind));
    if (transport) return fail({ sec500: "http500", secgarbage: "garbage", sechang: "hang" }[transport]);
    const failure = Object.keys(TEXT_FAILURES).find((kind) => body.content.includes(kind));
    if (failure) return reply(wechatError(...TEXT_FAILURES[failure]));
    const { suggest, label } = textVerdictOf(body.content);
    return reply({
      errcode: 0,
      errmsg: "ok",
      detail: [
        { strategy: "content_model", errcode: 0, suggest, label, prob: 90 },
        { strategy: "keyword", errcode: 0, suggest, label, level: 20, keyword: "" },
      ],
      trace_id: traceIdOf(),
      result: { suggest, label },
    });
  }

  function mediaCheckAsync(body, { reply }) {
    const problem = checkCommonFields(body);
    if (problem) return reply(wechatError(...problem));
    if (body.media_type !== 2 && body.media_type !== 1) return reply(wechatError(47001, "data format error hint: media_type"));
    if (typeof body.media_url !== "string" || !/^https?:\/\//.test(body.media_url)) return reply(wechatError(47001, "data format error hint: media_url"));
    if (body.openid.includes("mediabusy")) return reply(wechatError(-1, "system error"));
    const traceId = traceIdOf();
    const job = judgeAndPush(traceId, body.media_url, body.openid).finally(() => state.inFlight.delete(job));
    state.inFlight.add(job);
    return reply({ errcode: 0, errmsg: "ok", trace_id: traceId });
  }

  async function judgeAndPush(traceId, mediaUrl, openid) {
    await delay(verdictDelayMs);
    let mediaStatus = 0;
    try {
      mediaStatus = (await fetch(mediaUrl)).status;
    } catch {
      mediaStatus = -1;
    }
    const suggest = mediaStatus === 200 ? mediaVerdictOf(openid) : null;
    const target = state.target;
    const delivery = { traceId, suggest, mediaStatus, forged: state.forge, status: 0, text: "" };
    state.deliveries.push(delivery);
    if (!target) return;
    const event = suggest
      ? mediaCheckEvent({ appId, openid, traceId, suggest })
      : { ...mediaCheckEvent({ appId, openid, traceId, suggest: "pass" }), errcode: 1, errmsg: "media download failed", result: undefined, detail: [] };
    const forge = state.forge;
    const request = signedPush(target.url, event, {
      token: target.token,
      encodingAesKey: target.encodingAesKey ?? "",
      appId: forge === "appid" ? `${appId}_other` : appId,
      forge: forge === "appid" ? undefined : forge ?? undefined,
    });
    try {
      Object.assign(delivery, await deliverPush(request));
    } catch (error) {
      Object.assign(delivery, { status: -1, text: String(error) });
    }
  }

  // A control request of ours: { status, payload }, or null when the path is not ours.
  function control(method, path, body) {
    switch (`${method} ${path}`) {
      case "POST /__sim/push/target":
        if (body.url === undefined) {
          state.target = null;
          return { status: 200, payload: { ok: true } };
        }
        if (typeof body.url !== "string" || typeof body.token !== "string") return { status: 400, payload: { ok: false, error: "url and token are required" } };
        state.target = { url: body.url, token: body.token, encodingAesKey: body.encodingAesKey ?? "" };
        return { status: 200, payload: { ok: true } };
      case "POST /__sim/push/forge":
        if (!FORGE_MODES.has(body.mode ?? null)) return { status: 400, payload: { ok: false, error: "mode must be null, signature, none or appid" } };
        state.forge = body.mode ?? null;
        return { status: 200, payload: { ok: true } };
      case "GET /__sim/push/deliveries":
        return { status: 200, payload: { deliveries: state.deliveries } };
      default:
        return null;
    }
  }

  return {
    reset,
    control,
    // Resolves once every verdict already promised has been pushed.
    settled: () => Promise.all([...state.inFlight]),
    routes: {
      "POST /wxa/msg_sec_check": { stat: "msg_sec_check", handle: msgSecCheck },
      "POST /wxa/media_check_async": { stat: "media_check_async", handle: mediaCheckAsync },
    },
  };
}
