import { consentOverviewOf, changeConsentsOnRequest } from "../consents/consents";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";

// Each configured document: its current version and URL, what the user agreed to and when, and
// whether a consent is needed now.
export function consentsStatus(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    sendOk(e, "请求成功", consentOverviewOf(user));
  });
}

// An agreement (or, with action "withdraw", a withdrawal) of the listed documents; agreeing again
// to the version that stands writes nothing.
export function recordConsents(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    sendOk(e, "已记录", changeConsentsOnRequest(user, readJsonObjectBody(e), e.realIP()));
  });
}
