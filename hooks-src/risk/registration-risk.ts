// The risk check as a registration runs it (RISK_CHECK): before the registration's transaction,
// WeChat's rank of the openid about to register; on the new user, the rank and the time; in the
// same transaction, its audit event. Under enforce, a rank from RISK_BLOCK_RANK is refused (403,
// no user), and one from RISK_REVIEW_RANK creates the user as 待审核 where that status exists,
// or is refused where it does not. A failure fails open (risk-check.ts), and is audited.
// getuserriskrank is a mini-program API: a registration through a 公众号 or website is not ranked
// (users_risk_rank stays empty), whatever RISK_CHECK says.
import { audit, auditIn, type AuditDetails, type AuditOrigin } from "../audit/audit";
import { USERS_COLLECTION, type RegistrationSteps } from "../users/users";
import { wechatClientFor } from "../wechat/wechat";
import { assessRegistrationRisk, storedRiskRank, type RiskAssessment } from "./risk-check";
import { riskConfig, type RiskConfig } from "./risk-config";
import { riskFailures } from "./risk-errors";

export const PENDING_REVIEW_STATUS = "待审核";
export const RISK_RANK_FIELD = "users_risk_rank";
export const RISK_CHECKED_FIELD = "users_risk_checked";

type Outcome = "created" | "pending_review" | "refused";

export function riskAuditDetails(assessment: RiskAssessment, config: RiskConfig, outcome: Outcome): AuditDetails {
  const details: AuditDetails = { mode: config.mode, rank: assessment.rank ?? "unknown", verdict: assessment.verdict, outcome };
  if (assessment.failure) details.failure = assessment.failure.kind;
  if (assessment.failure?.errcode !== undefined) details.errcode = assessment.failure.errcode;
  return details;
}

function hasPendingReviewStatus(): boolean {
  const field = $app.findCachedCollectionByNameOrId(USERS_COLLECTION).fields.getByName("users_status") as unknown as { values?: string[] } | null;
  return field?.values?.includes(PENDING_REVIEW_STATUS) ?? false;
}

export function registrationRiskSteps(origin: AuditOrigin, config: RiskConfig = riskConfig()): RegistrationSteps {
  let assessment: RiskAssessment | null = null;
  let pendingReview = false;
  return {
    beforeTransaction({ app, openid }) {
      if (config.mode === "off" || app.kind !== "miniprogram") return;
      assessment = assessRegistrationRisk(wechatClientFor(app), openid, origin.ip ?? "", config);
      if (config.mode !== "enforce" || assessment.verdict === "pass") return;
      pendingReview = assessment.verdict === "review" && hasPendingReviewStatus();
      if (!pendingReview) {
        audit("risk_rank", null, origin, riskAuditDetails(assessment, config, "refused"));
        throw riskFailures.registrationRefused();
      }
    },
    beforeSave(_txApp, user) {
      if (!assessment) return;
      user.set(RISK_RANK_FIELD, storedRiskRank(assessment.rank));
      user.set(RISK_CHECKED_FIELD, new Date().toISOString());
      if (pendingReview) user.set("users_status", PENDING_REVIEW_STATUS);
    },
    afterSave(txApp, user) {
      if (assessment) auditIn(txApp, "risk_rank", user, origin, riskAuditDetails(assessment, config, pendingReview ? "pending_review" : "created"));
    },
  };
}

// A user waiting for review gets no token (PocketBase's authRule would refuse it anyway).
export function refuseIfPendingReview(user: core.Record): void {
  if (user.getString("users_status") === PENDING_REVIEW_STATUS) throw riskFailures.pendingReview();
}
