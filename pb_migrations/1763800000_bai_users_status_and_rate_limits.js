/// <reference path="../.pocketbase/types.d.ts" />

// Account status for staff (正常 / 禁用), and rate limits for the mini-program routes.
// Converges like the first migration: safe on an instance that already has either.

const USERS = "tbl_auth_users";

// Per client IP. Generous, because a carrier NAT can put thousands of phones behind one
// address; ops tune them in Settings → Rate limits. Listed before PocketBase's own "/api/"
// rule so that the more specific ones win.
const WECHAT_RATE_LIMITS = [
  { label: "POST /api/wechat/login", maxRequests: 300, duration: 30, audience: "" },
  { label: "POST /api/wechat/refresh-token", maxRequests: 300, duration: 30, audience: "" },
  { label: "POST /api/wechat/profile", maxRequests: 60, duration: 30, audience: "" },
  { label: "/api/wechat/", maxRequests: 300, duration: 30, audience: "" },
];

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.fields.addAt(
      users.fields.fieldNames().indexOf("users_type") + 1,
      new SelectField({
        name: "users_status",
        required: true,
        maxSelect: 1,
        values: ["正常", "禁用"],
        help: "禁用后该用户无法登录、修改资料或刷新 token,已签发的 token 立即失效",
      }),
    );
    // PocketBase's own auth endpoints (auth-refresh) refuse disabled users too.
    users.authRule = 'users_status = "正常"';
    app.save(users);
    app.db().newQuery("UPDATE tbl_auth_users SET users_status = '正常' WHERE users_status = ''").execute();

    const settings = app.settings();
    const ours = new Set(WECHAT_RATE_LIMITS.map((rule) => rule.label));
    const others = settings.rateLimits.rules.filter((rule) => !ours.has(rule.label));
    settings.rateLimits.rules = [...WECHAT_RATE_LIMITS, ...others];
    settings.rateLimits.enabled = true;
    app.save(settings);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.fields.removeByName("users_status");
    users.authRule = "";
    app.save(users);

    const settings = app.settings();
    const ours = new Set(WECHAT_RATE_LIMITS.map((rule) => rule.label));
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => !ours.has(rule.label));
    app.save(settings);
  },
);
