// What a login (the mini-program's and the 公众号/website one alike) records and checks besides
// finding or creating the user: the consents the request carries (for a new account, written in
// its registration's transaction), WeChat's risk rank when the login would create a user, and,
// for the answer, the documents whose current version the user has yet to agree to.
import { requestOrigin } from "../audit/audit";
import type { ConsentDocument } from "../consents/consent-config";
import { documentsNeedingConsentOf, recordLoginConsents, recordRegistrationConsents } from "../consents/consents";
import type { ConsentItem } from "../consents/consent-rules";
import { registrationRiskSteps } from "../risk/registration-risk";
import type { RegistrationSteps } from "../users/users";
import type { WechatApp } from "../wechat/apps";

export interface LoginRecords {
  registration: RegistrationSteps;
  // Once signed in: an existing user's consents, and the documents needing consent
  // (meta.data.consents_required).
  afterSignIn(user: core.Record, created: boolean): ConsentDocument[];
}

// consents: the body's, as readLoginConsents (consents/consents.ts) checked them before WeChat was
// called.
export function loginRecords(e: core.RequestEvent, consents: readonly ConsentItem[], app: WechatApp): LoginRecords {
  const origin = requestOrigin(e);
  const context = { source: "login" as const, ip: origin.ip ?? "", appid: app.appId };
  const risk = registrationRiskSteps(origin);
  return {
    registration: {
      beforeTransaction: risk.beforeTransaction,
      beforeSave: risk.beforeSave,
      afterSave(txApp, user) {
        risk.afterSave?.(txApp, user);
        recordRegistrationConsents(txApp, user, consents, context);
      },
    },
    afterSignIn(user, created) {
      if (!created) recordLoginConsents(user, consents, context);
      return documentsNeedingConsentOf(user);
    },
  };
}
