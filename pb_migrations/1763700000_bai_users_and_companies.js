/// <reference path="../.pocketbase/types.d.ts" />

// tbl_auth_users (mini-program users, signed in only through /api/wechat/login) and
// tbl_company. Written to converge: on an instance that already has these collections,
// it brings their fields, rules, options and indexes to this shape and keeps the data.

const USERS = "tbl_auth_users";
const COMPANIES = "tbl_company";

// What existed before our migrations ran, so that a down undoes only what its up created.
// Kept as one row of PocketBase's key-value table; 1763800000 adds to it.
const PREEXISTING = "bai_preexisting";

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

// Whether this migration's up created the collection. Without a record (an up from 0.1.0),
// a collection that holds records is kept: they may be a host's, and dropping loses them.
function createdByUs(app, name) {
  const preexisting = readPreexisting(app);
  if (preexisting) return !preexisting.includes(name);
  return app.countRecords(name) === 0;
}

function exists(app, name) {
  try {
    app.findCollectionByNameOrId(name);
    return true;
  } catch {
    return false;
  }
}

function findOrNewCollection(app, type, name) {
  let collection;
  try {
    collection = app.findCollectionByNameOrId(name);
  } catch {
    return new Collection({ type, name });
  }
  if (collection.type !== type) {
    throw new Error(
      `${name} is a ${collection.type} collection; this version needs an ${type} collection. ` +
        `Rename it in the admin UI to keep its records, then start PocketBase again (see DEPLOY.md).`,
    );
  }
  return collection;
}

// PocketBase cannot change a field's type, and converting values (free text into a select,
// say) would guess at what they mean. So stop, before anything changes, and say what to do.
function refuseFieldsOfAnotherType(collection, fields) {
  for (const field of fields) {
    const existing = collection.fields.getByName(field.name);
    if (existing && existing.type() !== field.type()) {
      throw new Error(
        `${collection.name}.${field.name} is a ${existing.type()} field; this version needs a ${field.type()} field. ` +
          `Rename it in the admin UI to keep its values, start PocketBase again, then copy them into the new ${field.name} (see DEPLOY.md).`,
      );
    }
  }
}

// Replaces any index of the same name, so a re-run doesn't duplicate it.
function setIndexes(collection, indexes) {
  const names = Object.keys(indexes);
  const kept = collection.indexes.filter((sql) => !names.some((name) => sql.includes(` \`${name}\` `) || sql.includes(` ${name} `)));
  collection.indexes = kept.concat(names.map((name) => indexes[name]));
}

migrate(
  (app) => {
    recordPreexisting(app, [USERS, COMPANIES].filter((name) => exists(app, name)));
    const users = findOrNewCollection(app, "auth", USERS);

    // Only our login route signs users in: no password, OTP, OAuth2, MFA or alerts.
    users.passwordAuth.enabled = false;
    users.otp.enabled = false;
    users.oauth2.enabled = false;
    users.mfa.enabled = false;
    users.authAlert.enabled = false;

    // A user may view only their own record; everything else is for superusers.
    users.listRule = null;
    users.viewRule = "id = @request.auth.id";
    users.createRule = null;
    users.updateRule = null;
    users.deleteRule = null;
    users.authRule = "";
    users.manageRule = null;

    users.fields.getByName("email").required = false;
    // No one signs in with a password, yet PocketBase hashes the random one each new user
    // gets; bcrypt's minimum cost keeps that from dominating the first login.
    users.fields.getByName("password").cost = 4;

    // Fields in the order staff read them, right after the record id.
    const userFields = [
      new TextField({
        name: "users_id",
        required: true,
        presentable: true,
        max: 32,
        pattern: "^U[0-9]{12,}$",
        help: "用户编号,U + 注册日期(北京时间 YYYYMMDD)+ 当日序号,登录时自动生成",
      }),
      new TextField({ name: "users_name", presentable: true, max: 64, help: "用户姓名,由小程序资料接口填写" }),
      new TextField({ name: "users_phone", max: 32, help: "手机号,由微信手机号授权换取" }),
      new SelectField({
        name: "users_type",
        required: true,
        maxSelect: 1,
        values: ["游客", "注册用户"],
        help: "新用户为「游客」;首次一次性补全姓名、手机号、头像后变为「注册用户」",
      }),
      new URLField({ name: "users_picture", help: "头像图片地址 (http/https)" }),
      new TextField({ name: "company_id", max: 64, help: "所属公司编号,对应 tbl_company 的 company_id" }),
      new TextField({ name: "openid", max: 128, help: "微信小程序 openid,登录时写入,请勿修改" }),
      new TextField({ name: "unionid", max: 128, help: "微信开放平台 unionid(绑定开放平台后才有)" }),
    ];
    const userDates = [
      new AutodateField({ name: "created", onCreate: true, onUpdate: false }),
      new AutodateField({ name: "updated", onCreate: true, onUpdate: true }),
    ];
    refuseFieldsOfAnotherType(users, [...userFields, ...userDates]);
    users.fields.addAt(1, ...userFields);
    users.fields.add(...userDates);
    setIndexes(users, {
      // Empty openids are legitimate (staff-created users, erased accounts), and users of a
      // collection that predates us may lack a users_id: each is unique only when set.
      idx_tbl_auth_users_openid: "CREATE UNIQUE INDEX `idx_tbl_auth_users_openid` ON `tbl_auth_users` (`openid`) WHERE `openid` != ''",
      idx_tbl_auth_users_users_id: "CREATE UNIQUE INDEX `idx_tbl_auth_users_users_id` ON `tbl_auth_users` (`users_id`) WHERE `users_id` != ''",
      idx_tbl_auth_users_unionid: "CREATE INDEX `idx_tbl_auth_users_unionid` ON `tbl_auth_users` (`unionid`)",
      idx_tbl_auth_users_company_id: "CREATE INDEX `idx_tbl_auth_users_company_id` ON `tbl_auth_users` (`company_id`)",
    });
    app.save(users);

    const companies = findOrNewCollection(app, "base", COMPANIES);
    companies.listRule = null;
    companies.viewRule = null;
    companies.createRule = null;
    companies.updateRule = null;
    companies.deleteRule = null;
    const companyFields = [
      ["company_id", "公司编号(业务主键)"],
      ["company_name", "公司名称"],
      ["company_type", "公司类型"],
      ["company_entity", "法人代表"],
      ["company_usci", "统一社会信用代码"],
      ["company_nationality", "国家/地区"],
      ["company_province", "省份"],
      ["company_city", "城市"],
      ["company_postalcode", "邮政编码"],
      ["company_add", "详细地址"],
      ["company_status", "公司状态"],
      ["company_level", "公司等级"],
      ["company_remark", "备注"],
    ];
    const companyAllFields = [
      ...companyFields.map(
        ([name, help]) =>
          new TextField({
            name,
            help,
            required: name === "company_id",
            presentable: name === "company_name",
            max: name === "company_remark" ? 2000 : 255,
          }),
      ),
      new AutodateField({ name: "created", onCreate: true, onUpdate: false }),
      new AutodateField({ name: "updated", onCreate: true, onUpdate: true }),
    ];
    refuseFieldsOfAnotherType(companies, companyAllFields);
    companies.fields.add(...companyAllFields);
    setIndexes(companies, {
      idx_tbl_company_company_id: "CREATE UNIQUE INDEX `idx_tbl_company_company_id` ON `tbl_company` (`company_id`)",
    });
    app.save(companies);
  },
  (app) => {
    // A collection that was there before keeps its records, its fields and the shape given it.
    for (const name of [USERS, COMPANIES]) {
      if (exists(app, name) && createdByUs(app, name)) app.delete(app.findCollectionByNameOrId(name));
    }
    app.db().newQuery("DELETE FROM _params WHERE id = {:id}").bind({ id: PREEXISTING }).execute();
  },
);
