// A WeChat login: find or create the user. A login during the cooling-off period of a
// deletion cancels it, unless the client said it must not (a login it made by itself), which
// is then refused like any other request of an account being deleted; a login after the
// erasure finds no user with that openid, and registers a new one.
import { findOrCreateUser, type RegistrationSteps } from "../users/users";
import type { WechatSession } from "../wechat/client";
import { failureForAccountStatus, ACCOUNT_STATUS } from "./account-status";
import { cancelDeletion, isDeletionPending } from "./deletion";

export interface SignIn {
  user: core.Record;
  created: boolean;
  deletionCancelled: boolean;
}

export function signIn(identity: WechatSession, { mayCancelDeletion = true, registration = {} as RegistrationSteps } = {}): SignIn {
  const found = findOrCreateUser(identity, registration);
  if (!isDeletionPending(found.user)) return { ...found, deletionCancelled: false };
  if (!mayCancelDeletion) throw failureForAccountStatus(ACCOUNT_STATUS.deletionPending)!;
  const resumed = cancelDeletion(found.user.id);
  if (resumed) return { user: resumed, created: false, deletionCancelled: true };
  // The cron erased the account between the two reads: its openid is free again.
  return { ...findOrCreateUser(identity, registration), deletionCancelled: false };
}
