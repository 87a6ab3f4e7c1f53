// Staff's invite codes (tbl_invite_codes): a code lets a new user register under any policy and
// joins them to its company. Checked before WeChat is called; one use is taken inside the
// registration's write transaction, re-read there, so two registrations racing for the last use
// cannot both have it.
import { failures, type FieldProblem } from "../errors";

export const INVITES_COLLECTION = "tbl_invite_codes";
export const INVITE_CODE_FIELD = "invite_code";

export interface Invite {
  id: string;
  code: string;
  companyId: string;
}

export interface InviteState {
  usesLeft: number;
  // null: never expires.
  expiresAt: Date | null;
}

export function inviteProblem(invite: InviteState | null, now: Date): FieldProblem | undefined {
  if (!invite) return { code: "invite_invalid", message: "邀请码无效" };
  if (invite.expiresAt !== null && invite.expiresAt.getTime() <= now.getTime()) return { code: "invite_expired", message: "邀请码已过期" };
  if (invite.usesLeft <= 0) return { code: "invite_used_up", message: "邀请码已用完" };
  return undefined;
}

function findInviteRecord(app: CoreApp, code: string): core.Record | null {
  const found = arrayOf(new Record(app.findCachedCollectionByNameOrId(INVITES_COLLECTION)));
  app.recordQuery(INVITES_COLLECTION).andWhere($dbx.hashExp({ code })).limit(1).all(found);
  return found.length > 0 ? found[0] : null;
}

function stateOf(record: core.Record | null): InviteState | null {
  if (!record) return null;
  const expires = record.getDateTime("expires");
  return { usesLeft: record.getInt("uses_left"), expiresAt: expires.isZero() ? null : new Date(expires.time().unixMilli()) };
}

function requireUsable(record: core.Record | null, now: Date): core.Record {
  const problem = inviteProblem(stateOf(record), now);
  if (problem) throw failures.invalidFields({ [INVITE_CODE_FIELD]: problem });
  return record!;
}

export function findUsableInvite(app: CoreApp, code: string, now = new Date()): Invite {
  const record = requireUsable(findInviteRecord(app, code), now);
  return { id: record.id, code, companyId: record.getString("company_id") };
}

// In the registration's transaction: a failure here rolls the registration back. Returns the
// company to join, as the invite says now.
export function useInvite(txApp: CoreApp, invite: Invite, now: Date): string {
  const record = requireUsable(findInviteRecord(txApp, invite.code), now);
  record.set("uses_left", record.getInt("uses_left") - 1);
  txApp.save(record);
  return record.getString("company_id");
}
