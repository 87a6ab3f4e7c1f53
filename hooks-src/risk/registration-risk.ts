// The risk check as a registration runs it (RISK_CHECK): before the registration's transaction,
// WeChat's rank of the openid about to register; on the new user, the rank and the time; in the
// same transaction, its audit event. Under enforce, a rank from RISK_BLOCK_RANK is refused (403,
// no user), and one from RISK_REVIEW_RANK creates the user as 待审核, whom staff approve like one
// the approval policy registered (account/sign-in.ts answers it). A failure fails open
// (risk-check.ts), and is audited.
// getuserriskrank is a mini-program API: a registration through a 公众号 or website is not ranked
// (its risk_rank stays empty), whatever RISK_CHECK says.
import { audit, auditIn, type AuditDetails, type AuditOrigin } from "../audit/audit";
import { ACCOUNT_STATUS } from "../account/account-status";
import type { RegistrationSteps } from "../users/users";
import { wechatClientFor } from "../wechat/wechat";
import { assessRegistrationRisk, storedRiskRank, type RiskAssessment } from "./risk-check";
import { riskConfig, type RiskConfig } from "./risk-config";
import { riskFailures } from "./risk-errors";

type Outcome = "created" | "pending_review" | "refused";

export function riskAuditDetails(assessment: RiskAssessment, config: RiskConfig, outcome: Outcome): AuditDetails {
  const details: AuditDetails = { mode: config.mode, rank: assessment.rank ?? "unknown", verdict: assessment.verdict, outcome };
  if (assessment.failure) details.failure = assessment.failure.kind;
  if (assessment.failure?.errcode !== undefined) details.errcode = assessment.failure.errcode;
  return details;
}

export function registrationRiskSteps(origin: AuditOrigin, config: RiskConfig = riskConfig()): RegistrationSteps {
  let assessment: RiskAssessment | null = null;
  let pendingReview = false;
  return {
    beforeTransaction({ app, openid }) {
      if (config.mode === "off" || app.kind !== "miniprogram") return;
      assessment = assessRegistrationRisk(wechatClientFor(app), openid, origin.ip ?? "", config);
      if (config.mode !== "enforce" || assessment.verdict === "pass") return;
      pendingReview = assessment.verdict === "review";
      if (!pendingReview) {
        audit("risk_rank", null, origin, riskAuditDetails(assessment, config, "refused"));
        throw riskFailures.registrationRefused();
      }
    },
    beforeSave(_txApp, user, facts) {
      if (!assessment) return;
      facts.risk_rank = storedRiskRank(assessment.rank);
      facts.risk_checked = new Date().toISOString();
      if (pendingReview) user.set("users_status", ACCOUNT_STATUS.pendingApproval);
    },
    afterSave(txApp, user) {
      if (assessment) auditIn(txApp, "risk_rank", user, origin, riskAuditDetails(assessment, config, pendingReview ? "pending_review" : "created"));
    },
  };
}
