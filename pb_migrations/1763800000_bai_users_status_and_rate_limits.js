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

// Shared with 1763700000: what existed before our migrations, so a down undoes only what
// its up created.
const PREEXISTING = "bai_preexisting";
const STATUS_FIELD = `${USERS}.users_status`;

function readPreexisting(app) {
  const row = new DynamicModel({ value: "" });
  try {
    app.db().newQuery("SELECT value FROM _params WHERE id = {:id}").bind({ id: PREEXISTING }).one(row);
  } catch {
    return null; // our up ran before 0.2.0 recorded it
  }
  return JSON.parse(row.value);
}

function recordPreexisting(app, names) {
  const value = JSON.stringify([...new Set([...(readPreexisting(app) || []), ...names])]);
  app.db().newQuery("INSERT OR REPLACE INTO _params (id, value) VALUES ({:id}, {:value})").bind({ id: PREEXISTING, value }).execute();
}

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const status = new SelectField({
      name: "users_status",
      required: true,
      maxSelect: 1,
      values: ["正常", "禁用"],
      help: "禁用后该用户无法登录、修改资料或刷新 token,已签发的 token 立即失效",
    });
    const existing = users.fields.getByName("users_status");
    if (existing && existing.type() !== status.type()) {
      throw new Error(
        `${STATUS_FIELD} is a ${existing.type()} field; this version needs a select field. ` +
          `Rename it in the admin UI to keep its values, start PocketBase again, then copy them into the new users_status (see DEPLOY.md).`,
      );
    }
    if (existing) recordPreexisting(app, [STATUS_FIELD]);
    users.fields.addAt(users.fields.fieldNames().indexOf("users_type") + 1, status);
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
    // A users_status that was there before keeps its values, and the rule that reads it.
    // Without a record (an up from 0.1.0), ours is the only one there can be.
    if (!(readPreexisting(app) || []).includes(STATUS_FIELD)) {
      const users = app.findCollectionByNameOrId(USERS);
      users.fields.removeByName("users_status");
      users.authRule = "";
      app.save(users);
    }

    const settings = app.settings();
    const ours = new Set(WECHAT_RATE_LIMITS.map((rule) => rule.label));
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => !ours.has(rule.label));
    app.save(settings);
  },
);
