// What a registration refused for its risk rank answers (RISK_CHECK=enforce).
import { failure } from "../errors";

export const riskFailures = {
  registrationRefused: () => failure(403, "registration_refused"),
};
