/// <reference path="../.pocketbase/types.d.ts" />

// How each user came in, and WeChat's risk rank at registration, move from eight hidden fields of
// tbl_auth_users to tbl_user_registrations, one row per user who has any of them (issue 19).
// PocketBase reads every column of the user on every authenticated request (its token check
// selects the whole record): those eight columns, which no request but staff's ever reads, cost
// its own routes 8–20 % more CPU (a user's view of their record +20 %, auth-refresh +8 %) and our
// refresh-token 5 %. Superusers only through the API; staff find a user's row in the admin UI by
// filtering `user = "<id>"`.
//
// The values move in SQL, then the columns go. A re-run finds no fields left to move. Down puts
// the fields back with their values and drops the collection.

const USERS = "tbl_auth_users";
const REGISTRATIONS = "tbl_user_registrations";
// Each old field of tbl_auth_users and the field of tbl_user_registrations that replaces it.
const MOVED = [
  ["users_registered_at", "registered_at"],
  ["users_registered_appid", "registered_appid"],
  ["users_registered_route", "registered_route"],
  ["users_registered_ip", "registered_ip"],
  ["users_invite_code", "invite_code"],
  ["users_claimed_at", "claimed_at"],
  ["users_risk_rank", "risk_rank"],
  ["users_risk_checked", "risk_checked"],
];

function findOrNewCollection(app, name) {
  try {
    return app.findCollectionByNameOrId(name);
  } catch {
    return new Collection({ type: "base", name });
  }
}

function upsertField(collection, field) {
  const existing = collection.fields.getByName(field.name);
  if (existing) field.id = existing.id;
  collection.fields.add(field);
}

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const registrations = findOrNewCollection(app, REGISTRATIONS);
    registrations.listRule = null;
    registrations.viewRule = null;
    registrations.createRule = null;
    registrations.updateRule = null;
    registrations.deleteRule = null;
    upsertField(registrations, new RelationField({ name: "user", required: true, collectionId: users.id, maxSelect: 1, cascadeDelete: true, presentable: true, help: "用户" }));
    upsertField(registrations, new DateField({ name: "registered_at", help: "注册时间(由登录接口注册的用户;管理员创建的为空)" }));
    upsertField(registrations, new TextField({ name: "registered_appid", max: 64, help: "注册时使用的微信应用 appid" }));
    upsertField(registrations, new TextField({ name: "registered_route", max: 64, help: "注册时调用的接口,如 /api/wechat/login、/api/wechat/phone-login" }));
    upsertField(registrations, new TextField({ name: "registered_ip", max: 64, help: "注册请求的客户端 IP(注销时清除)" }));
    upsertField(registrations, new TextField({ name: "invite_code", max: 64, help: "注册时使用的邀请码" }));
    upsertField(registrations, new DateField({ name: "claimed_at", help: "管理员创建的用户被本人以手机号登录认领的时间" }));
    upsertField(
      registrations,
      new SelectField({
        name: "risk_rank",
        maxSelect: 1,
        values: ["0", "1", "2", "3", "4", "未知"],
        help: "注册时微信 getuserriskrank 的风险等级(0 无风险 … 4 高度可疑);未知:查询失败;空:未查询(RISK_CHECK=off 或注册早于该功能)",
      }),
    );
    upsertField(registrations, new DateField({ name: "risk_checked", help: "查询风险等级的时间" }));
    registrations.indexes = [
      `CREATE UNIQUE INDEX \`idx_${REGISTRATIONS}_user\` ON \`${REGISTRATIONS}\` (\`user\`)`,
      `CREATE INDEX \`idx_${REGISTRATIONS}_registered_at\` ON \`${REGISTRATIONS}\` (\`registered_at\`)`,
    ];
    app.save(registrations);

    const moving = MOVED.filter(([from]) => users.fields.getByName(from));
    if (moving.length === 0) return;
    const anyValue = moving.map(([from]) => `COALESCE(\`${from}\`, '') != ''`).join(" OR ");
    app
      .db()
      .newQuery(
        `INSERT OR IGNORE INTO \`${REGISTRATIONS}\` (id, user, ${moving.map(([, to]) => `\`${to}\``).join(", ")})
         SELECT substr(lower(hex(randomblob(8))), 1, 15), id, ${moving.map(([from]) => `COALESCE(\`${from}\`, '')`).join(", ")}
         FROM \`${USERS}\` WHERE ${anyValue}`,
      )
      .execute();
    for (const [from] of moving) users.fields.removeByName(from);
    app.save(users);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const hidden = { hidden: true };
    for (const [from, to] of MOVED) {
      if (users.fields.getByName(from)) continue;
      if (to === "risk_rank") users.fields.add(new SelectField({ name: from, ...hidden, maxSelect: 1, values: ["0", "1", "2", "3", "4", "未知"] }));
      else if (to.endsWith("_at") || to === "risk_checked") users.fields.add(new DateField({ name: from, ...hidden }));
      else users.fields.add(new TextField({ name: from, ...hidden, max: 64 }));
    }
    app.save(users);
    let registrations;
    try {
      registrations = app.findCollectionByNameOrId(REGISTRATIONS);
    } catch {
      return;
    }
    app
      .db()
      .newQuery(
        `UPDATE \`${USERS}\` SET ${MOVED.map(([from, to]) => `\`${from}\` = r.\`${to}\``).join(", ")}
         FROM \`${REGISTRATIONS}\` r WHERE r.user = \`${USERS}\`.id`,
      )
      .execute();
    app.delete(registrations);
  },
);
