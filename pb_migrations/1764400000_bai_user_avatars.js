/// <reference path="../.pocketbase/types.d.ts" />

// Avatars uploaded through POST /api/wechat/avatar (tbl_user_avatars), the links staff see
// on tbl_auth_users (users_avatar, shown as a thumbnail in the admin UI), the content flags
// staff review (users_flags), and the avatar route's rate limit. Converges on re-runs.

const USERS = "tbl_auth_users";
const AVATARS = "tbl_user_avatars";
const MAX_AVATAR_BYTES = 2 * 1024 * 1024;
const AVATAR_RATE_LIMIT = { label: "POST /api/wechat/avatar", maxRequests: 60, duration: 60, audience: "" };

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

migrate(
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    const avatars = findOrNewCollection(app, "base", AVATARS);
    // Superusers only through the API. The image itself is public (not a protected file):
    // <image src> sends no token, and its URL holds two random parts nobody can guess.
    avatars.listRule = null;
    avatars.viewRule = null;
    avatars.createRule = null;
    avatars.updateRule = null;
    avatars.deleteRule = null;
    upsertField(avatars, new RelationField({ name: "user", required: true, collectionId: users.id, maxSelect: 1, cascadeDelete: true, help: "上传者;删除用户时一并删除其头像文件" }));
    upsertField(
      avatars,
      new FileField({
        name: "image",
        // Not required: a risky verdict deletes the image and keeps the row for staff.
        required: false,
        presentable: true,
        maxSelect: 1,
        maxSize: MAX_AVATAR_BYTES,
        mimeTypes: ["image/jpeg", "image/png", "image/webp", "image/gif"],
        thumbs: ["100x100", "300x300"],
        protected: false,
        help: "头像图片(按文件内容识别,只收 JPEG/PNG/WebP/GIF,≤ 2 MB)",
      }),
    );
    upsertField(avatars, new SelectField({ name: "status", required: true, maxSelect: 1, values: ["待使用", "使用中", "违规"], help: "待使用:已上传、尚未用于资料,过期自动删除;使用中:当前头像;违规:内容安全检测判定违规,图片已删除" }));
    upsertField(avatars, new DateField({ name: "pending_until", help: "待使用的上传在此时间后被自动删除" }));
    upsertField(avatars, new SelectField({ name: "media_check", required: true, maxSelect: 1, values: ["未检测", "检测中", "通过", "待复核", "违规", "提交失败"], help: "微信内容安全(mediaCheckAsync)结果" }));
    upsertField(avatars, new TextField({ name: "trace_id", max: 128, help: "mediaCheckAsync 的 trace_id,用于匹配微信推送的检测结果" }));
    upsertField(avatars, new AutodateField({ name: "created", onCreate: true, onUpdate: false }));
    upsertField(avatars, new AutodateField({ name: "updated", onCreate: true, onUpdate: true }));
    avatars.indexes = [
      "CREATE INDEX `idx_tbl_user_avatars_user_status` ON `tbl_user_avatars` (`user`, `status`)",
      "CREATE INDEX `idx_tbl_user_avatars_pending_until` ON `tbl_user_avatars` (`status`, `pending_until`)",
      "CREATE INDEX `idx_tbl_user_avatars_trace_id` ON `tbl_user_avatars` (`trace_id`)",
    ];
    app.save(avatars);

    // Not hidden: the admin UI lists no hidden field, and this one is the thumbnail staff look
    // for. A user seeing their own avatar's record id learns nothing its URL does not say.
    upsertField(users, new RelationField({ name: "users_avatar", collectionId: avatars.id, maxSelect: 1, cascadeDelete: false, help: "当前使用的上传头像(资料接口使用上传头像时自动关联),列表中显示缩略图" }));
    upsertField(
      users,
      // Hidden: for staff (the record form and filters show it), not for the user it is about.
      new SelectField({
        name: "users_flags",
        hidden: true,
        maxSelect: 4,
        values: ["昵称待复核", "昵称未检测", "头像待复核", "头像违规"],
        help: "内容安全标记,供人工复核;处理后可手动清除",
      }),
    );
    // Staff see the face right after name, phone and type (which stay inside a 1280 px window),
    // and the flags beside the account status.
    users.fields.addAt(users.fields.fieldNames().indexOf("users_type") + 1, users.fields.getByName("users_avatar"));
    users.fields.addAt(users.fields.fieldNames().indexOf("users_status") + 1, users.fields.getByName("users_flags"));
    app.save(users);

    const settings = app.settings();
    const others = settings.rateLimits.rules.filter((rule) => rule.label !== AVATAR_RATE_LIMIT.label);
    // Before the catch-all "/api/wechat/" rule, so that this one applies.
    const catchAll = others.findIndex((rule) => rule.label === "/api/wechat/");
    others.splice(catchAll === -1 ? 0 : catchAll, 0, AVATAR_RATE_LIMIT);
    settings.rateLimits.rules = others;
    app.save(settings);
  },
  (app) => {
    const users = app.findCollectionByNameOrId(USERS);
    users.fields.removeByName("users_avatar");
    users.fields.removeByName("users_flags");
    app.save(users);
    try {
      app.delete(app.findCollectionByNameOrId(AVATARS));
    } catch {
      // already gone
    }
    const settings = app.settings();
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => rule.label !== AVATAR_RATE_LIMIT.label);
    app.save(settings);
  },
);
