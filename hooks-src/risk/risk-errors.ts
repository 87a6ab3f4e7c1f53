// What a registration refused for its risk rank answers (RISK_CHECK=enforce).
import { ApiFailure } from "../errors";

export const riskFailures = {
  registrationRefused: () => new ApiFailure(403, "账号存在安全风险,暂时无法注册", {}, "registration_refused"),
  pendingReview: () => new ApiFailure(403, "账号注册待审核,请耐心等待", {}, "registration_pending_review"),
};
