// What a registration refused for its risk rank answers (RISK_CHECK=enforce).
import { ApiFailure } from "../errors";

export const riskFailures = {
  registrationRefused: () => new ApiFailure(403, "账号存在安全风险,暂时无法注册", {}, "registration_refused"),
};
