// PocketBase record hooks on tbl_auth_users, registered by build.mjs.
import { isDisabled } from "./users";

// Staff disable an account in the admin UI; rotating its token key on that save voids
// every token already issued to it, for our routes and PocketBase's own alike.
export function revokeTokensOfDisabledUser(e: core.RecordEvent): void {
  const user = e.record!;
  if (isDisabled(user) && !isDisabled(user.original())) user.refreshTokenKey();
  e.next();
}

// Mini-program users sign in only through WeChat; an email address attached through
// PocketBase's email-change flow would be a second identity nobody asked for.
export function refuseEmailChange(): void {
  throw new ForbiddenError("Email change is not available for WeChat users.");
}
