/// <reference path="../.pocketbase/types.d.ts" />

// One person across several WeChat apps: tbl_user_identities holds each (appid, openid) a user
// signs in with, joined by unionid. Superusers only through the API; staff see a user's
// identities in the admin UI by filtering `user = "<id>"` (or from the user's record, whose id
// is the relation's value). tbl_auth_users keeps openid and unionid as the primary
// mini-program's values.
//
// Every existing user with an openid gets an identity under WECHAT_APPID, in SQL (a million users
// in seconds, no hooks). INSERT OR IGNORE on the unique (appid, openid) makes a re-run add only
// what is missing. Without WECHAT_APPID there is nothing to name the identities by: the first
// login of each user then adds theirs (hooks-src/identities/resolution.ts). Down drops the
// collection and keeps the users.

const USERS = "tbl_auth_users";
const IDENTITIES = "tbl_user_identities";

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
    const identities = findOrNewCollection(app, IDENTITIES);
    identities.listRule = null;
    identities.viewRule = null;
    identities.createRule = null;
    identities.updateRule = null;
    identities.deleteRule = null;
    upsertField(identities, new RelationField({ name: "user", required: true, collectionId: users.id, maxSelect: 1, cascadeDelete: true, help: "这个微信身份所属的用户" }));
    upsertField(
      identities,
      new SelectField({
        name: "kind",
        required: true,
        maxSelect: 1,
        values: ["miniprogram", "official_account", "website", "app"],
        help: "miniprogram 小程序 · official_account 公众号网页 · website 网站应用(扫码登录) · app 移动应用",
      }),
    );
    upsertField(identities, new TextField({ name: "appid", required: true, max: 64, presentable: true, help: "微信应用的 appid" }));
    upsertField(identities, new TextField({ name: "openid", required: true, max: 128, presentable: true, help: "用户在该应用下的 openid" }));
    upsertField(identities, new TextField({ name: "unionid", max: 128, help: "开放平台 unionid,同一人在各应用相同;可为空" }));
    upsertField(identities, new AutodateField({ name: "first_login", onCreate: true, onUpdate: false, help: "首次登录" }));
    upsertField(identities, new DateField({ name: "last_login", help: "最近一次登录(至多每小时更新一次)" }));
    upsertField(identities, new AutodateField({ name: "updated", onCreate: true, onUpdate: true }));
    identities.indexes = [
      "CREATE UNIQUE INDEX `idx_tbl_user_identities_appid_openid` ON `tbl_user_identities` (`appid`, `openid`)",
      "CREATE INDEX `idx_tbl_user_identities_unionid` ON `tbl_user_identities` (`unionid`)",
      "CREATE INDEX `idx_tbl_user_identities_user` ON `tbl_user_identities` (`user`)",
    ];
    app.save(identities);

    const appid = $os.getenv("WECHAT_APPID").trim();
    if (appid === "") return;
    app
      .db()
      .newQuery(
        `INSERT OR IGNORE INTO ${IDENTITIES} (id, user, kind, appid, openid, unionid, first_login, last_login, updated)
         SELECT substr(lower(hex(randomblob(8))), 1, 15), id, 'miniprogram', {:appid}, openid, unionid, created, updated, {:now}
         FROM ${USERS} WHERE openid != ''`,
      )
      .bind({ appid, now: new Date().toISOString().replace("T", " ") })
      .execute();
  },
  (app) => {
    try {
      app.delete(app.findCollectionByNameOrId(IDENTITIES));
    } catch {
      // already gone
    }
  },
);
