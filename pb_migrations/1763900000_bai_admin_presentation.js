/// <reference path="../.pocketbase/types.d.ts" />

// How staff read tbl_auth_users in the admin UI. The record list shows its columns in field
// order, so what staff look for comes first and the WeChat/PocketBase plumbing last; the
// fields nobody uses say so. Presentation only: no field is added, removed, renamed, hidden
// or made required, and records are serialized by name, so every API answer stays the same.

const USERS = "tbl_auth_users";

// Fields not named here (added later) keep their place after these.
const STAFF_ORDER = [
  "id", "users_id", "users_name", "users_phone", "users_type", "users_status", "company_id",
  "created", "updated", "users_picture", "openid", "unionid",
  "email", "emailVisibility", "verified", "password", "tokenKey",
];

const HELP = {
  users_phone: "手机号(中国大陆号码不带区号,其他地区带区号),由微信手机号授权换取",
  company_id: "所属公司编号,即 tbl_company 的 company_id(如 C10001);留空表示未关联公司",
  email: "未使用:小程序用户只通过微信登录",
  emailVisibility: "未使用",
  verified: "未使用:身份由微信 openid 确认",
};

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const present = STAFF_ORDER.filter((name) => users.fields.getByName(name));
    // AddAt with fields already in the list moves them.
    users.fields.addAt(0, ...present.map((name) => users.fields.getByName(name)));
    for (const [name, help] of Object.entries(HELP)) {
      const field = users.fields.getByName(name);
      if (field) field.help = help;
    }
    app.save(users);
  },
  () => {
    // Field order and help texts only; nothing to undo.
  },
);
