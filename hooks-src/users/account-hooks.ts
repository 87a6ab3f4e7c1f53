// PocketBase request hooks on tbl_auth_users (pb_hooks/bai_wechat_auth.pb.js).

// Mini-program users sign in only through WeChat; an email address attached through
// PocketBase's email-change flow would be a second identity nobody asked for.
export function refuseEmailChange(): void {
  throw new ForbiddenError("Email change is not available for WeChat users.");
}
