import { auditRequest } from "../audit/audit";
import { requireWechatUser } from "../http/auth";
import { readJsonObjectBody } from "../http/request";
import { answer, sendOk } from "../http/responses";
import { bindIdentity, unbindIdentity } from "../identities/binding";
import { identitiesOfUser } from "../identities/identities";
import { identityViewOf } from "../identities/identity-view";
import { readBindIdentityRequest } from "../validation";
import { appForLogin } from "../wechat/apps";
import { WechatErrcodeError } from "../wechat/errors";
import { claimLoginCode } from "../wechat/login-code-claims";
import { failures } from "../errors";
import { wechatApps, wechatClientFor } from "../wechat/wechat";

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
      const app = appForLogin(wechatApps(), appId, ["miniprogram"]);
      const claim = claimLoginCode(code);
      if (!claim) throw failures.duplicateLoginCode();
      let session;
      try {
        session = wechatClientFor(app).codeToSession(code);
      } catch (error) {
        if (!(error instanceof WechatErrcodeError)) claim.release();
        throw error;
      }
      const { bound, identity } = bindIdentity(user.id, app, session);
      if (bound) auditRequest(e, "identity_bound", user, { appid: app.appId });
      sendOk(e, bound ? "绑定成功" : "已绑定", { status: bound ? "bound" : "already_bound", identity: identityViewOf(identity) });
    },
    "code",
  );
}

export function unbindIdentityRoute(e: core.RequestEvent): void {
  answer(e, () => {
    const user = requireWechatUser(e);
    const removed = unbindIdentity(user.id, e.request!.pathValue("id"));
    auditRequest(e, "identity_unbound", user, { appid: removed.getString("appid") });
    sendOk(e, "已解绑", { status: "unbound", id: removed.id });
  });
}
