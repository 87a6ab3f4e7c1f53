// The bundle's surface: everything pb_hooks/bai_wechat_auth.pb.js registers and calls. The
// routes and cron jobs themselves are tables in registry/.
export { afterBootstrap, dispatch, methodNotAllowed, registrations, runCronJob } from "./registry/registrations";
export { refuseEmailChange, revokeTokensOfDisabledUser } from "./users/account-hooks";
