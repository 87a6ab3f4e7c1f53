/// <reference path="../.pocketbase/types.d.ts" />

// Records that stand up to an audit: the audit trail (bai_audit_events) and the consent ledger
// (bai_consents), both append-only (superusers read them; a hook refuses every create, update and
// delete through the API, superusers included, see hooks-src/audit/append-only.ts); WeChat's risk
// rank at registration on tbl_auth_users; and the rate limit of GET /api/wechat/my-data.
// Converges on re-runs, like the earlier migrations.

const USERS = "tbl_auth_users";
const AUDIT_EVENTS = "bai_audit_events";
const CONSENTS = "bai_consents";
const MY_DATA_RATE_LIMIT = { label: "GET /api/wechat/my-data", maxRequests: 20, duration: 60, audience: "" };

function findOrNewCollection(app, type, name) {
  try {
    return app.findCollectionByNameOrId(name);
  } catch {
    return new Collection({ type, name });
  }
}

// Adds the field, or brings an existing one of that name to this shape in place.
function upsertField(collection, field) {
  const existing = collection.fields.getByName(field.name);
  if (existing) field.id = existing.id;
  collection.fields.add(field);
}

function superusersOnly(collection) {
  collection.listRule = null;
  collection.viewRule = null;
  collection.createRule = null;
  collection.updateRule = null;
  collection.deleteRule = null;
}

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);

    const events = findOrNewCollection(app, "base", AUDIT_EVENTS);
    superusersOnly(events);
    upsertField(events, new TextField({ name: "event", required: true, max: 64, presentable: true, help: "事件:login、registration、login_failed、refresh、profile_updated、logout、deletion_*、account_*、consent_*、risk_rank、my_data_exported、identity_*、unionid_conflict、users_merged" }));
    // Text, not a relation: an event outlives its user (a relation would be emptied, or block the delete).
    upsertField(events, new TextField({ name: "users_id", max: 32, help: "用户编号;筛选某用户的全部事件:users_id = \"U…\"" }));
    upsertField(events, new TextField({ name: "pb_id", max: 32, help: "tbl_auth_users 记录 id" }));
    upsertField(events, new SelectField({ name: "by", required: true, maxSelect: 1, values: ["user", "staff", "cron"], help: "user:小程序请求;staff:管理后台;cron:定时任务" }));
    upsertField(events, new TextField({ name: "ip", max: 64, help: "客户端 IP(经反向代理解析)" }));
    upsertField(events, new TextField({ name: "staff", max: 32, help: "操作的管理员(_superusers 记录 id)" }));
    upsertField(events, new JSONField({ name: "details", maxSize: 8192, help: "事件详情:字段名、原因、微信 errcode 等;从不含字段值、code、token 或手机号" }));
    upsertField(events, new AutodateField({ name: "created", onCreate: true, onUpdate: false }));
    // Two indexes, no more: every login pays for each one. users_id serves staff's filter and
    // my-data; created serves the export and the prune.
    events.indexes = [
      `CREATE INDEX \`idx_${AUDIT_EVENTS}_users_id\` ON \`${AUDIT_EVENTS}\` (\`users_id\`, \`created\`)`,
      `CREATE INDEX \`idx_${AUDIT_EVENTS}_created\` ON \`${AUDIT_EVENTS}\` (\`created\`)`,
    ];
    app.save(events);

    const consents = findOrNewCollection(app, "base", CONSENTS);
    superusersOnly(consents);
    // Emptied by the erasure of the user (注销), which keeps the row as anonymous evidence.
    upsertField(consents, new RelationField({ name: "user", collectionId: users.id, maxSelect: 1, cascadeDelete: false, help: "同意或撤回的用户;账号注销清除个人信息时置空,记录本身保留" }));
    upsertField(consents, new TextField({ name: "document", required: true, max: 64, presentable: true, help: "协议:user_agreement(用户协议)、privacy_policy(隐私政策)等,见 CONSENT_DOCUMENTS" }));
    upsertField(consents, new TextField({ name: "version", required: true, max: 64, help: "协议版本" }));
    upsertField(consents, new SelectField({ name: "action", required: true, maxSelect: 1, values: ["agree", "withdraw"], help: "agree:同意;withdraw:撤回同意" }));
    upsertField(consents, new SelectField({ name: "source", required: true, maxSelect: 1, values: ["login", "settings", "prompt"], help: "在哪里:login 登录时;settings 设置页;prompt 协议更新提示" }));
    upsertField(consents, new TextField({ name: "appid", max: 64, help: "同意时所经微信应用的 appid(小程序、公众号或网站;设置页为主小程序)" }));
    upsertField(consents, new TextField({ name: "ip", max: 64, help: "客户端 IP(经反向代理解析);注销时清除" }));
    upsertField(consents, new AutodateField({ name: "created", onCreate: true, onUpdate: false }));
    consents.indexes = [
      `CREATE INDEX \`idx_${CONSENTS}_user\` ON \`${CONSENTS}\` (\`user\`, \`document\`, \`created\`)`,
      `CREATE INDEX \`idx_${CONSENTS}_created\` ON \`${CONSENTS}\` (\`created\`)`,
    ];
    app.save(consents);

    // Hidden: for staff, not for the user's own record view or the login answer.
    upsertField(users, new SelectField({ name: "users_risk_rank", hidden: true, maxSelect: 1, values: ["0", "1", "2", "3", "4", "未知"], help: "注册时微信 getuserriskrank 的风险等级(0 无风险 … 4 高度可疑);未知:查询失败;空:未查询(RISK_CHECK=off 或注册早于该功能)" }));
    upsertField(users, new DateField({ name: "users_risk_checked", hidden: true, help: "查询风险等级的时间" }));
    app.save(users);

    const settings = app.settings();
    const others = settings.rateLimits.rules.filter((rule) => rule.label !== MY_DATA_RATE_LIMIT.label);
    // Before the catch-all "/api/wechat/" rule, so that this one applies.
    const catchAll = others.findIndex((rule) => rule.label === "/api/wechat/");
    others.splice(catchAll === -1 ? 0 : catchAll, 0, MY_DATA_RATE_LIMIT);
    settings.rateLimits.rules = others;
    app.save(settings);
  },
  (app) => {
    for (const name of [CONSENTS, AUDIT_EVENTS]) {
      try {
        app.delete(app.findCollectionByNameOrId(name));
      } catch {
        // already gone
      }
    }
    const users = app.findCollectionByNameOrId(USERS);
    users.fields.removeByName("users_risk_rank");
    users.fields.removeByName("users_risk_checked");
    app.save(users);
    const settings = app.settings();
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => rule.label !== MY_DATA_RATE_LIMIT.label);
    app.save(settings);
  },
);
