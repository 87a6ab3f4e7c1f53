// BAI's registrations with PocketBase. This file is fixed: routes and cron jobs are tables in
// hooks-src/registry/, read here from the bundle once at load.
//
// PocketBase serializes every handler below as source text and runs it alone in a pooled VM,
// where nothing of this file exists. So no handler may use a variable from out here: each one
// require()s the bundle and lets it dispatch, on the route pattern PocketBase matched.

const bai = require(`${__hooks}/bai_wechat_auth.js`).registrations();

// Each route is one JS middleware, registered with a native, empty route handler: a JS handler
// would take a second pooled VM for every request while the middleware's VM waits in e.next().
// PocketBase's bodyLimit with no limit (0) is such a handler: a Go func that only calls e.next().
// The middleware carries the id of the global revocation check below, so on our routes it takes
// that check's place (and makes the check itself), for the same reason.
// PocketBase's rate limiter runs at priority -1000; envelope routes wrap it, so that its
// refusals get our {code, msg, data}. The others run after all of PocketBase's checks.
const OUTSIDE_RATE_LIMITER = -1001;
const AFTER_POCKETBASE_CHECKS = 0;
const NATIVE_EMPTY_HANDLER = $apis.bodyLimit(0).func;

// The middleware is source text, like the cron jobs' below, with the route's key written into it.
// It keeps the bundle on its VM's global object: require() resolves the path on disk at every call.
for (const route of bai.routes) {
  const priority = route.envelope ? OUTSIDE_RATE_LIMITER : AFTER_POCKETBASE_CHECKS;
  const dispatch = new Middleware(`(e) => (globalThis.baiBundle ??= require(\`\${__hooks}/bai_wechat_auth.js\`)).dispatch(e, ${JSON.stringify(route.key)})`, priority, bai.revocationCheckId);
  routerAdd(route.method, route.path, NATIVE_EMPTY_HANDLER, $apis.bodyLimit(route.maxBodyBytes), dispatch);
}

for (const { method, path } of bai.methodNotAllowed) {
  routerAdd(method, path, (e) => require(`${__hooks}/bai_wechat_auth.js`).methodNotAllowed(e));
}

onRecordUpdate((e) => require(`${__hooks}/bai_wechat_auth.js`).applyAccountStatusRules(e), "tbl_auth_users");
onRecordUpdateRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).auditStaffStatusChange(e), "tbl_auth_users");
onRecordAfterUpdateSuccess((e) => require(`${__hooks}/bai_wechat_auth.js`).forgetCompany(e), "tbl_company");
onRecordAfterDeleteSuccess((e) => require(`${__hooks}/bai_wechat_auth.js`).forgetCompany(e), "tbl_company");
onRecordRequestEmailChangeRequest(() => require(`${__hooks}/bai_wechat_auth.js`).refuseEmailChange(), "tbl_auth_users");
onRecordConfirmEmailChangeRequest(() => require(`${__hooks}/bai_wechat_auth.js`).refuseEmailChange(), "tbl_auth_users");
// A token revoked by a `current` logout is a guest's from here on: just after PocketBase's
// loadAuthToken (priority -1020), for every route. It runs on every request, so a guest's
// request skips even the require(). Realtime connections remember their token.
routerUse(new Middleware((e) => { if (!e.auth) return e.next(); require(`${__hooks}/bai_wechat_auth.js`).refuseRevokedToken(e); }, -1019, bai.revocationCheckId));
onRealtimeSubscribeRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).tagRealtimeClient(e));

onBootstrap((e) => {
  e.next();
  require(`${__hooks}/bai_wechat_auth.js`).afterBootstrap();
});

// cronAdd also takes its handler as source text: the job id is written into it.
for (const job of bai.cronJobs) {
  cronAdd(job.id, job.schedule, `() => require(\`\${__hooks}/bai_wechat_auth.js\`).runCronJob(${JSON.stringify(job.id)})`);
}
