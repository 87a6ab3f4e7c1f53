// Who may register: REGISTRATION_POLICY is the default, the one row of tbl_settings that staff
// edit in the admin UI overrides it. Read only when a login would create a user (inside that
// registration's transaction), so an existing user's login costs nothing more, and a change
// staff save applies to the next registration without a restart.
import { ACCOUNT_STATUS } from "../account/account-status";
import { failures, type ApiFailure } from "../errors";

export const REGISTRATION_POLICIES = ["open", "phone_match", "closed", "approval"] as const;
export type RegistrationPolicy = (typeof REGISTRATION_POLICIES)[number];
export const DEFAULT_REGISTRATION_POLICY: RegistrationPolicy = "open";
export const SETTINGS_COLLECTION = "tbl_settings";

export interface PolicySetting {
  policy: RegistrationPolicy;
  // What was wrong with REGISTRATION_POLICY, for the start-up log.
  problem?: string;
}

const isPolicy = (value: string): value is RegistrationPolicy => (REGISTRATION_POLICIES as readonly string[]).includes(value);

// A value we don't know closes registration: a typo must not open the doors.
export function readPolicyFromEnvironment(getenv: (name: string) => string = $os.getenv): PolicySetting {
  const raw = getenv("REGISTRATION_POLICY").trim();
  if (raw === "") return { policy: DEFAULT_REGISTRATION_POLICY };
  if (isPolicy(raw)) return { policy: raw };
  return { policy: "closed", problem: `REGISTRATION_POLICY="${raw}" is not one of ${REGISTRATION_POLICIES.join(", ")}: registration is closed until it is fixed` };
}

// Staff's choice in tbl_settings wins; left empty, the environment's.
export function effectivePolicy(staffChoice: string, environment: RegistrationPolicy): RegistrationPolicy {
  return isPolicy(staffChoice) ? staffChoice : environment;
}

export function currentRegistrationPolicy(app: CoreApp): RegistrationPolicy {
  const row = new DynamicModel({ registration_policy: "" });
  try {
    app.db().newQuery(`SELECT registration_policy FROM ${SETTINGS_COLLECTION} ORDER BY rowid LIMIT 1`).one(row);
  } catch {
    row.registration_policy = ""; // no row (staff deleted it): the environment decides
  }
  return effectivePolicy(row.registration_policy, readPolicyFromEnvironment().policy);
}

export type Admission = { status: typeof ACCOUNT_STATUS.active | typeof ACCOUNT_STATUS.pendingApproval } | { refusal: ApiFailure };

// What a login that would register a new user gets. A valid invite is staff's own yes, under
// every policy. Without a verified phone number (POST /api/wechat/login), a policy that admits
// only some people sends the client to the phone login; under approval it still registers the
// 待审核 user, so staff see who waits.
export function admissionOf(policy: RegistrationPolicy, { phoneVerified, invited }: { phoneVerified: boolean; invited: boolean }): Admission {
  if (invited || policy === "open") return { status: ACCOUNT_STATUS.active };
  if (policy === "approval") return { status: ACCOUNT_STATUS.pendingApproval };
  if (!phoneVerified) return { refusal: failures.phoneLoginRequired() };
  return { refusal: policy === "phone_match" ? failures.phoneNotRegistered() : failures.registrationClosed() };
}

// onRecordCreate on tbl_settings (pb_hooks/bai_wechat_auth.pb.js): a second row would leave
// staff wondering which one counts.
export function refuseSecondSettingsRow(e: core.RecordEvent): void {
  if (e.app.countRecords(SETTINGS_COLLECTION) > 0) throw new BadRequestError("tbl_settings 只有一行设置:请修改已有的那一行");
  e.next();
}
