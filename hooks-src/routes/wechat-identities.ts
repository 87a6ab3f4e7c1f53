import { auditRequest, subjectOf } from "../audit/audit";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { bindIdentity, unbindIdentity } from "../identities/binding";
import { identitiesOfUser } from "../identities/identities";
import { identityViewOf } from "../identities/identity-view";
import { readBindIdentityRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { miniProgramSignIn } from "../wechat/mini-program-login";
import { webSignIn } from "../wechat/web-login";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

const BIND_CODE_FIELD = "code";

export function listIdentities(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    sendOk(e, "获取成功", { identities: identitiesOfUser($app, user.id).map(identityViewOf) });
  });
}

export function bindIdentityRoute(e: core.RequestEvent): void {
  answer(
    e,
    () => {
      const user = requireWechatUser(e);
      const { appId, code } = readBindIdentityRequest(readJsonObjectBody(e));
      const app = appForLogin(wechatApps(), appId, ["miniprogram", "official_account", "website"]);
      const wechat = wechatClientFor(app);
      // A web page's silent login (snsapi_base) brings no unionid; binding needs none: the caller is known.
      const { openid, unionid } = app.kind === "miniprogram" ? miniProgramSignIn(wechat, code, BIND_CODE_FIELD) : webSignIn(wechat, code);
      const { bound, identity } = bindIdentity(user.id, app, { openid, unionid });
      if (bound) auditRequest(e, "identity_bound", subjectOf(user), { appid: app.appId });
      sendOk(e, bound ? "绑定成功" : "已绑定", { status: bound ? "bound" : "already_bound", identity: identityViewOf(identity) });
    },
    BIND_CODE_FIELD,
  );
}

export function unbindIdentityRoute(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    const removed = unbindIdentity(user.id, e.request!.pathValue("id"));
    auditRequest(e, "identity_unbound", subjectOf(user), { appid: removed.getString("appid") });
    sendOk(e, "已解绑", { status: "unbound", id: removed.id });
  });
}
