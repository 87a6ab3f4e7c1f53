// A WeChat login: find or create the user (identities/resolution.ts). A login during the
// cooling-off period of a deletion cancels it, unless the client said it must not (a login it
// made by itself), which is then refused like any other request of an account being deleted; a
// login after the erasure finds no identity (the erasure deleted them), and registers a new user,
// with the registration's steps (users.ts RegistrationSteps).
// A 待审核 user gets no token: 403 until staff set 正常. One registered just now under the
// approval policy stays registered (PendingRegistration); without a verified phone number the
// client is sent to the phone login, so that staff know the number of whom they approve.
import { ApiFailure, failures } from "../errors";
import { existingUser, resolveUser, type Resolution, type SigningIn } from "../identities/resolution";
import type { RegistrationSteps } from "../users/users";
import { failureForAccountStatus, ACCOUNT_STATUS } from "./account-status";
import { cancelDeletion, isDeletionPending } from "./deletion";

export interface SignIn extends Resolution {
  created: boolean;
  deletionCancelled: boolean;
}

// A refusal after a registration that was kept: the caller audits the registration too.
export class PendingRegistration extends ApiFailure {
  constructor(
    failure: ApiFailure,
    readonly user: core.Record,
  ) {
    super(failure.status, failure.msg, failure.data, failure.error);
  }
}

export function signIn(signingIn: SigningIn, { mayCancelDeletion = true, registration = {} as RegistrationSteps } = {}): SignIn {
  const found = requireApproved(resolveUser(signingIn, registration), signingIn);
  const created = found.outcome === "created";
  if (!isDeletionPending(found.user)) return { ...found, created, deletionCancelled: false };
  if (!mayCancelDeletion) throw failureForAccountStatus(ACCOUNT_STATUS.deletionPending)!;
  const resumed = cancelDeletion(found.user.id, signingIn);
  if (resumed) return { ...found, user: resumed, created: false, deletionCancelled: true };
  // The cron erased the account between the two reads: its identities are gone.
  const again = requireApproved(resolveUser(signingIn, registration), signingIn);
  return { ...again, created: again.outcome === "created", deletionCancelled: false };
}

function requireApproved(found: Resolution, signingIn: SigningIn): Resolution {
  if (found.user.getString("users_status") !== ACCOUNT_STATUS.pendingApproval) return found;
  if (found.outcome !== "created") throw failures.accountPendingApproval();
  throw new PendingRegistration(signingIn.phone === undefined ? failures.phoneLoginRequired() : failures.accountPendingApproval(), found.user);
}

// What a phone login of someone we know is refused without their phone number: found before the
// billed phone call, which is then not made. A 待审核 user without a number still gives it,
// for staff to judge them by.
export function refusalBeforePhoneCall(signingIn: SigningIn, { mayCancelDeletion = true } = {}): ApiFailure | null {
  const user = existingUser(signingIn);
  if (!user) return null;
  const status = user.getString("users_status");
  if (status === ACCOUNT_STATUS.pendingApproval) return user.getString("users_phone") === "" ? null : failures.accountPendingApproval();
  if (status === ACCOUNT_STATUS.deletionPending && mayCancelDeletion) return null;
  return failureForAccountStatus(status);
}
