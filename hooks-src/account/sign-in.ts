// A WeChat login: find or create the user (identities/resolution.ts). A login during the
// cooling-off period of a deletion cancels it, unless the client said it must not (a login it
// made by itself), which is then refused like any other request of an account being deleted; a
// login after the erasure finds no identity (the erasure deleted them), and registers a new user,
// with the registration's steps (users.ts RegistrationSteps).
import { resolveUser, type Resolution, type SigningIn } from "../identities/resolution";
import type { RegistrationSteps } from "../users/users";
import { failureForAccountStatus, ACCOUNT_STATUS } from "./account-status";
import { cancelDeletion, isDeletionPending } from "./deletion";

export interface SignIn extends Resolution {
  created: boolean;
  deletionCancelled: boolean;
}

export function signIn(signingIn: SigningIn, { mayCancelDeletion = true, registration = {} as RegistrationSteps } = {}): SignIn {
  const found = resolveUser(signingIn, registration);
  const created = found.outcome === "created";
  if (!isDeletionPending(found.user)) return { ...found, created, deletionCancelled: false };
  if (!mayCancelDeletion) throw failureForAccountStatus(ACCOUNT_STATUS.deletionPending)!;
  const resumed = cancelDeletion(found.user.id, signingIn);
  if (resumed) return { ...found, user: resumed, created: false, deletionCancelled: true };
  // The cron erased the account between the two reads: its identities are gone.
  const again = resolveUser(signingIn, registration);
  return { ...again, created: again.outcome === "created", deletionCancelled: false };
}
