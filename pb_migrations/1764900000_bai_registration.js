/// <reference path="../.pocketbase/types.d.ts" />

// Who may register (issue 21): the status 待审核, how each user registered, the registration
// policy staff set in the admin UI (tbl_settings, one row) and staff's invite codes
// (tbl_invite_codes). Converges like the earlier migrations: a re-run changes nothing more.

const USERS = "tbl_auth_users";
const SETTINGS = "tbl_settings";
const INVITES = "tbl_invite_codes";
const STATUSES = ["正常", "待审核", "禁用", "注销中", "已注销"];
const STATUS_INDEX = "idx_tbl_auth_users_users_status";
// Each phone login may cost a billed WeChat call, like a profile update.
const PHONE_LOGIN_RATE_LIMIT = { label: "POST /api/wechat/phone-login", maxRequests: 60, duration: 30, audience: "" };

function findOrNewCollection(app, name) {
  try {
    return app.findCollectionByNameOrId(name);
  } catch {
    return new Collection({ type: "base", name });
  }
}

function upsertField(collection, field, position) {
  const existing = collection.fields.getByName(field.name);
  if (existing) field.id = existing.id;
  if (position === undefined) collection.fields.add(field);
  else collection.fields.addAt(position, field);
}

function lockRules(collection) {
  collection.listRule = null;
  collection.viewRule = null;
  collection.createRule = null;
  collection.updateRule = null;
  collection.deleteRule = null;
}

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const status = users.fields.getByName("users_status");
    status.values = STATUSES;
    status.help =
      "正常;待审核:等待审核,不能登录,改为「正常」即通过;禁用:不能登录,token 立即失效;" +
      "注销中:冷静期内,到期清除个人信息,重新登录即撤销;已注销:个人信息已清除,不可恢复";
    // How the user came in: shown to staff, hidden from the user's own record (PocketBase returns
    // hidden fields to superusers only).
    const provenance = [
      new DateField({ name: "users_registered_at", hidden: true, help: "注册时间(由登录接口注册的用户;管理员创建的为空)" }),
      new TextField({ name: "users_registered_appid", hidden: true, max: 64, help: "注册时使用的微信应用 appid" }),
      new TextField({ name: "users_registered_route", hidden: true, max: 64, help: "注册时调用的接口,如 /api/wechat/login、/api/wechat/phone-login" }),
      new TextField({ name: "users_registered_ip", hidden: true, max: 64, help: "注册请求的客户端 IP(注销时清除)" }),
      new TextField({ name: "users_invite_code", hidden: true, max: 64, help: "注册时使用的邀请码" }),
      new DateField({ name: "users_claimed_at", hidden: true, help: "管理员创建的用户被本人以手机号登录认领的时间" }),
    ];
    for (const field of provenance) upsertField(users, field);
    // Staff judge who waits at a glance: the status right after the type, in the first screen of the list.
    users.fields.addAt(users.fields.fieldNames().indexOf("users_type") + 1, status);
    users.indexes = users.indexes
      .filter((sql) => !sql.includes(STATUS_INDEX))
      .concat([`CREATE INDEX \`${STATUS_INDEX}\` ON \`${USERS}\` (\`users_status\`)`]);
    app.save(users);

    const settings = findOrNewCollection(app, SETTINGS);
    lockRules(settings);
    upsertField(
      settings,
      new SelectField({
        name: "registration_policy",
        maxSelect: 1,
        values: ["open", "phone_match", "closed", "approval"],
        help:
          "open 任何人可注册;phone_match 仅管理员预先创建的用户(手机号登录认领);closed 不开放(有效邀请码除外);" +
          "approval 新用户待审核。留空用环境变量 REGISTRATION_POLICY(默认 open)",
      }),
    );
    upsertField(settings, new AutodateField({ name: "updated", onCreate: true, onUpdate: true }));
    app.save(settings);
    if (app.countRecords(SETTINGS) === 0) app.save(new Record(settings, { registration_policy: "" }));

    const invites = findOrNewCollection(app, INVITES);
    lockRules(invites);
    upsertField(invites, new TextField({ name: "code", required: true, presentable: true, min: 4, max: 64, pattern: "^[A-Za-z0-9_-]+$", help: "邀请码(字母、数字、_ 或 -),用户登录时填写" }));
    upsertField(invites, new TextField({ name: "company_id", max: 64, help: "用邀请码注册的用户加入的公司(tbl_company 的 company_id);留空则不加入" }));
    upsertField(invites, new NumberField({ name: "uses_left", onlyInt: true, min: 0, help: "剩余可用次数,每注册一个用户减 1;为 0 即已用完" }));
    upsertField(invites, new DateField({ name: "expires", help: "过期时间;留空为永不过期" }));
    upsertField(invites, new TextField({ name: "note", max: 255, help: "备注(给谁、为什么)" }));
    upsertField(invites, new AutodateField({ name: "created", onCreate: true, onUpdate: false }));
    upsertField(invites, new AutodateField({ name: "updated", onCreate: true, onUpdate: true }));
    invites.indexes = [`CREATE UNIQUE INDEX \`idx_${INVITES}_code\` ON \`${INVITES}\` (\`code\`)`];
    app.save(invites);

    const appSettings = app.settings();
    const others = appSettings.rateLimits.rules.filter((rule) => rule.label !== PHONE_LOGIN_RATE_LIMIT.label);
    // Beside the login's rule, before the catch-all "/api/wechat/" one, so that this one applies.
    const login = others.findIndex((rule) => rule.label === "POST /api/wechat/login");
    others.splice(login + 1, 0, PHONE_LOGIN_RATE_LIMIT);
    appSettings.rateLimits.rules = others;
    app.save(appSettings);
  },
  (app) => {
    for (const name of [SETTINGS, INVITES]) {
      try {
        app.delete(app.findCollectionByNameOrId(name));
      } catch {
        // already gone
      }
    }
    const users = app.findCollectionByNameOrId(USERS);
    for (const name of ["users_registered_at", "users_registered_appid", "users_registered_route", "users_registered_ip", "users_invite_code", "users_claimed_at"]) {
      users.fields.removeByName(name);
    }
    users.indexes = users.indexes.filter((sql) => !sql.includes(STATUS_INDEX));
    app.save(users);
    app.db().newQuery("UPDATE tbl_auth_users SET users_status = '正常' WHERE users_status = '待审核'").execute();
    users.fields.getByName("users_status").values = ["正常", "禁用", "注销中", "已注销"];
    app.save(users);
    const appSettings = app.settings();
    appSettings.rateLimits.rules = appSettings.rateLimits.rules.filter((rule) => rule.label !== PHONE_LOGIN_RATE_LIMIT.label);
    app.save(appSettings);
  },
);
