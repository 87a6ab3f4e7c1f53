// A WeChat login: find or create the user. A login during the cooling-off period of a
// deletion cancels it; a login after the erasure finds no user with that openid, and registers
// a new one.
import { findOrCreateUser } from "../users/users";
import type { WechatSession } from "../wechat/client";
import { cancelDeletion, isDeletionPending } from "./deletion";

export interface SignIn {
  user: core.Record;
  created: boolean;
  deletionCancelled: boolean;
}

export function signIn(identity: WechatSession): SignIn {
  const found = findOrCreateUser(identity);
  if (!isDeletionPending(found.user)) return { ...found, deletionCancelled: false };
  const resumed = cancelDeletion(found.user.id);
  if (resumed) return { user: resumed, created: false, deletionCancelled: true };
  // The cron erased the account between the two reads: its openid is free again.
  return { ...findOrCreateUser(identity), deletionCancelled: false };
}
