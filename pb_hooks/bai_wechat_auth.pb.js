// BAI's registrations with PocketBase. This file is fixed: routes and cron jobs are tables in
// hooks-src/registry/, read here from the whole bundle once at load.
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

// The middleware is source text, like the cron jobs' below, with the route's key and its bundle
// written into it: the hot routes are served from bai_wechat_auth_hot.js, about half of the whole
// bundle, and refresh-token and health from bai_wechat_auth_lean.js, a third of the hot one, which a
// VM built for one request loads first. It keeps the bundle on its VM's global object: require()
// resolves the path on disk at every call.
for (const route of bai.routes) {
  const priority = route.envelope ? OUTSIDE_RATE_LIMITER : AFTER_POCKETBASE_CHECKS;
  const dispatch = new Middleware(`(e) => (globalThis[${JSON.stringify(route.bundle)}] ??= require(\`\${__hooks}/${route.bundle}\`)).dispatch(e, ${JSON.stringify(route.key)})`, priority, bai.revocationCheckId);
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
onRecordCreate((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseSecondSettingsRow(e), "tbl_settings");
// The audit trail and the consent ledger are append-only, for superusers too: no create, update or
// delete through the API, and no record delete at all (PocketBase truncates a collection that way).
onRecordCreateRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseAppendOnlyChange(e), ...bai.appendOnlyCollections);
onRecordUpdateRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseAppendOnlyChange(e), ...bai.appendOnlyCollections);
onRecordDeleteRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseAppendOnlyChange(e), ...bai.appendOnlyCollections);
onRecordDelete((e) => require(`${__hooks}/bai_wechat_auth.js`).refuseAppendOnlyChange(e), ...bai.appendOnlyCollections);
// Login and refresh events wait in a shared buffer: staff's list of the trail shows them, and a stop keeps them.
onRecordsListRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).flushAuditEventsBefore(e), "bai_audit_events");
onTerminate((e) => require(`${__hooks}/bai_wechat_auth.js`).flushAuditEventsBefore(e));
// A user staff delete keeps their consent rows as anonymous evidence, as an erasure does.
onRecordDelete((e) => require(`${__hooks}/bai_wechat_auth.js`).unlinkConsentsOfDeletedUser(e), "tbl_auth_users");
// A dead tbl_auth_users token (revoked by a `current` logout, or one PocketBase could not verify)
// gets 401: just after PocketBase's loadAuthToken (priority -1020), for every route. It runs on
// every request, so two kinds pass without loading the bundle, which a throwaway VM would build
// for them: a request without a token, and a verified one whose user never had a token revoked
// (the store key is written into the source, like the routes' keys; each VM keeps its wrapper of
// $app.store(), which every call wraps anew). The rest go to the hot bundle.
// Realtime connections remember their token.
routerUse(new Middleware(`(e) => { const auth = e.auth; if (auth ? (globalThis.__baiStore ??= $app.store()).get(${JSON.stringify(bai.revokedUserKeyPrefix)} + auth.id) == null : !e.request.header.get("Authorization")) return e.next(); (globalThis[${JSON.stringify(bai.hotBundle)}] ??= require(\`\${__hooks}/${bai.hotBundle}\`)).refuseDeadToken(e); }`, -1019, bai.revocationCheckId));
// Avatar URLs stored in profiles follow a change of the Application URL.
onSettingsUpdateRequest((e) => require(`${__hooks}/bai_wechat_auth.js`).followApplicationUrlChange(e));
onRealtimeSubscribeRequest((e) => require(`${__hooks}/bai_wechat_auth_hot.js`).tagRealtimeClient(e));
// Every token PocketBase itself issues for a user (its auth-refresh, staff's impersonation) is signed
// again with a jti of its own, every other claim kept (hooks-src/account/distinct-tokens.ts has the why;
// our own routes sign theirs so at once). Written out here, not in the bundle: a throwaway VM would
// otherwise load all of the bundle for these four calls.
onRecordAuthRequest((e) => { const claims = $security.parseUnverifiedJWT(e.token); const jti = (globalThis.__baiJti ??= { prefix: $security.randomString(16), count: 0 }); claims.jti = jti.prefix + (++jti.count).toString(36); e.token = $security.createJWT(claims, e.record.tokenKey() + e.collection.authToken.secret, 0); e.next(); }, "tbl_auth_users");

// The records route hands its request on to PocketBase's own router, the server's handler.
// jsvm offers no onServe, so this binds to the app's hook directly: the function runs once, in
// this file's own VM, when the server starts, after PocketBase has built its router.
$app.onServe().bindFunc((e) => {
  e.next();
  require(`${__hooks}/bai_wechat_auth.js`).rememberServer(e);
});

onBootstrap((e) => {
  e.next();
  require(`${__hooks}/bai_wechat_auth.js`).afterBootstrap();
});

// cronAdd also takes its handler as source text: the job id is written into it.
for (const job of bai.cronJobs) {
  cronAdd(job.id, job.schedule, `() => require(\`\${__hooks}/bai_wechat_auth.js\`).runCronJob(${JSON.stringify(job.id)})`);
}
