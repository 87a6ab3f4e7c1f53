// GET /api/wechat/my-data: everything we hold about the caller, as one JSON document (the right
// of access, PIPL art. 45): the profile, the account's state, the identities (masked), the
// consent ledger's rows, the audit trail's events and the avatars' URLs. Nothing of another
// user: every read is by the caller's own id, and the staff member behind a staff event is not
// named, nor the address they worked from. No secret: no token, no code, no session_key, no password hash, no token key.
import { flushAuditEvents } from "../audit/audit-buffer";
import { auditEventsOfUser } from "../audit/audit-events";
import { AVATARS_COLLECTION, avatarUrlOf } from "../avatars/avatar-urls";
import { applicationUrl } from "../avatars/avatars";
import { readWechatConfig } from "../config";
import { consentRowsOf } from "../consents/consent-ledger";
import { registrationOf } from "../registration/registration-facts";
import { userInfoOf } from "../users/user-info";
import { identitiesOf } from "./identities";

export function myDataOf(user: core.Record, now = new Date()) {
  flushAuditEvents();
  const { openid: _openid, ...profile } = userInfoOf(user);
  const registration = registrationOf($app, user.id);
  return {
    generated_at: now.toISOString(),
    profile,
    account: {
      users_status: user.getString("users_status"),
      users_deletion_due: user.getString("users_deletion_due") || null,
      users_flags: user.getStringSlice("users_flags"),
      risk_rank: registration?.getString("risk_rank") || null,
      risk_checked_at: registration?.getString("risk_checked") || null,
    },
    identities: identitiesOf(user, readWechatConfig()?.appId ?? ""),
    consents: consentRowsOf($app, user.id),
    audit_events: auditEventsOfUser(user).map(({ created, event, by, ip, details }) => ({ created, event, by, ip: by === "user" ? ip : "", details })),
    avatars: avatarsOf(user.id),
  };
}

function avatarsOf(userId: string) {
  const appUrl = applicationUrl();
  return $app.findRecordsByFilter(AVATARS_COLLECTION, "user = {:user}", "-created", 0, 0, { user: userId }).map((avatar) => {
    const filename = avatar!.getString("image");
    return {
      url: filename === "" ? null : avatarUrlOf(appUrl, { recordId: avatar!.id, filename }),
      status: avatar!.getString("status"),
      created: avatar!.getString("created"),
    };
  });
}
