// Every message our answers carry, in both languages: failures by their `error` identifier, field
// problems by their code (`code.variant` where one code has several messages), and success
// messages by their Chinese text. zh-CN is the text answered since the first release, byte for
// byte; {name} stands for a value the failure carries in its params. messages.test.ts fails on an
// identifier, code or message without both languages; test/support/contract.ts on any answer the
// end-to-end suite sees whose message is not here.
import { MAX_AVATAR_ASPECT_RATIO, MAX_AVATAR_SIDE_PIXELS } from "../avatars/image-dimensions";
import { DEFAULT_LANGUAGE, type Language } from "./accept-language";

export type Message = Record<Language, string>;
export type MessageParams = Record<string, string | number>;

// The catalogs are built on first use, in each VM: nearly every answer is a success in Chinese,
// which needs none of them, and building them was a fifth of loading the bundle, which a VM
// PocketBase builds for one request does before it answers.
const wechatCodeMessages = () => ({
  wechat_code_invalid: { "zh-CN": "微信 code 无效或已过期", en: "The WeChat code is invalid or has expired" },
  wechat_code_used: { "zh-CN": "微信 code 已被使用", en: "The WeChat code has already been used" },
  wechat_code_blocked: { "zh-CN": "微信判定该用户存在风险,已拦截登录", en: "WeChat judged this user risky and blocked the login" },
  wechat_code_wrong_app: { "zh-CN": "手机号 code 不属于本小程序", en: "The phone number code was not issued to this mini-program" },
}) satisfies Record<string, Message>;

// The avatar's file problems: each is a failure of its own and the problem of the field `file`.
const fileMessages = () => ({
  file_missing: { "zh-CN": "缺少文件字段 file", en: "The file field is missing" },
  file_empty: { "zh-CN": "文件为空", en: "The file is empty" },
  too_many_files: { "zh-CN": "只能上传一个文件", en: "Only one file may be uploaded" },
  image_type_unsupported: { "zh-CN": "只支持 JPEG、PNG、WebP、GIF 图片", en: "Only JPEG, PNG, WebP and GIF images are accepted" },
  image_unreadable: { "zh-CN": "图片文件已损坏或不完整", en: "The image file is damaged or incomplete" },
  image_dimensions_exceeded: {
    "zh-CN": `图片尺寸超出限制:每边最多 ${MAX_AVATAR_SIDE_PIXELS} 像素,长边不超过短边的 ${MAX_AVATAR_ASPECT_RATIO} 倍`,
    en: `The image is too large: at most ${MAX_AVATAR_SIDE_PIXELS} pixels a side, and the long side at most ${MAX_AVATAR_ASPECT_RATIO} times the short one`,
  },
}) satisfies Record<string, Message>;

const errorCatalog = () => ({
  invalid_fields: { "zh-CN": "参数错误", en: "Invalid parameters" },
  malformed_json: { "zh-CN": "请求体不是合法的 JSON", en: "The request body is not valid JSON" },
  body_not_an_object: { "zh-CN": "请求体必须是 JSON 对象", en: "The request body must be a JSON object" },
  ...wechatCodeMessages(),
  missing_token: { "zh-CN": "缺少 Authorization: Bearer <token>", en: "Missing Authorization: Bearer <token>" },
  invalid_token: { "zh-CN": "token 无效或已过期,请重新登录", en: "The token is invalid or has expired; please log in again" },
  account_disabled: { "zh-CN": "账号已被禁用,请联系管理员", en: "This account has been disabled; please contact an administrator" },
  account_deletion_pending: { "zh-CN": "账号注销中,重新登录即可撤销注销", en: "This account is being deleted; logging in again cancels the deletion" },
  account_deleted: { "zh-CN": "账号已注销", en: "This account has been deleted" },
  account_pending_approval: {
    "zh-CN": "账号待管理员审核,审核通过后即可登录",
    en: "This account awaits an administrator's approval; it can log in once approved",
  },
  auth_rule_refused: {
    "zh-CN": "账号不满足管理员设置的登录条件,请联系管理员",
    en: "This account does not meet the sign-in conditions an administrator set; please contact an administrator",
  },
  phone_login_required: { "zh-CN": "请使用手机号快捷登录", en: "Please log in with your phone number" },
  phone_not_registered: {
    "zh-CN": "该手机号未登记,请联系管理员开通账号",
    en: "This phone number is not registered; please ask an administrator to open an account",
  },
  registration_closed: { "zh-CN": "暂不开放注册", en: "Registration is closed for now" },
  registration_refused: {
    "zh-CN": "账号存在安全风险,暂时无法注册",
    en: "This account carries a security risk and cannot register for now",
  },
  phone_in_use: {
    "zh-CN": "该手机号已属于另一个微信账号,请联系管理员",
    en: "This phone number belongs to another WeChat account; please contact an administrator",
  },
  duplicate_phone_users: {
    "zh-CN": "该手机号对应多个账号,请联系管理员处理",
    en: "This phone number matches several accounts; please contact an administrator",
  },
  consent_version_stale: {
    "zh-CN": "协议已更新,请阅读最新版本后再同意",
    en: "The agreement has been updated; please read the latest version before agreeing",
  },
  consent_required: { "zh-CN": "请先阅读并同意最新的协议", en: "Please read and agree to the latest agreements first" },
  identity_not_found: { "zh-CN": "身份不存在", en: "No such identity" },
  bind_conflict: {
    "zh-CN": "该微信身份已属于另一个账号,如为同一人请联系管理员合并",
    en: "This WeChat identity belongs to another account; if both are the same person, ask an administrator to merge them",
  },
  last_identity: {
    "zh-CN": "这是账号唯一的登录方式且未绑定手机号,不能解绑",
    en: "This is the account's only way to log in and it has no phone number: it cannot be unbound",
  },
  merge_same_user: { "zh-CN": "不能把用户合并到自己", en: "A user cannot be merged into itself" },
  merge_refused_status: { "zh-CN": "{status}的账号不能合并", en: "An account of status {status} cannot be merged" },
  merge_conflict: {
    "zh-CN": "两个用户的以下字段不同,请在 winners 中指明保留哪一方",
    en: "The two users differ in the fields below; name in winners which side to keep",
  },
  superuser_required: { "zh-CN": "仅限管理员", en: "Administrators (superusers) only" },
  "superuser_required.audit_export": {
    "zh-CN": "仅限管理员(superuser)导出审计记录",
    en: "Only administrators (superusers) may export the audit trail",
  },
  account_conflict: {
    "zh-CN": "该微信身份对应多个账号,请联系管理员合并账号",
    en: "This WeChat identity matches several accounts; please ask an administrator to merge them",
  },
  unionid_required: {
    "zh-CN": "需要用户授权(snsapi_userinfo)才能确认身份,请重新授权登录",
    en: "The user's authorization (snsapi_userinfo) is needed to tell who this is; please authorize and log in again",
  },
  snapshot_user: {
    "zh-CN": "朋友圈快照页不能登录,请点击「使用完整服务」后重试",
    en: "A Moments snapshot page cannot log in; tap 「使用完整服务」 (use the full service) and try again",
  },
  user_not_found: { "zh-CN": "用户不存在", en: "No such user" },
  method_not_allowed: { "zh-CN": "请求方法不允许,请使用 {allowed}", en: "Method not allowed; use {allowed}" },
  request_timeout: { "zh-CN": "请求体接收超时", en: "The request body did not arrive in time" },
  payload_too_large: { "zh-CN": "请求体过大,上限 {limit}", en: "The request body is too large; the limit is {limit}" },
  unsupported_media_type: { "zh-CN": "请求体必须为 application/json", en: "The request body must be application/json" },
  duplicate_login_code: {
    "zh-CN": "重复请求过于频繁,请勿重复提交同一登录凭证",
    en: "Repeated too soon: do not send the same login code again",
  },
  rate_limited: { "zh-CN": "请求过于频繁,请稍后重试", en: "Too many requests; please try again later" },
  wechat_rate_limited: { "zh-CN": "微信接口调用过于频繁,请稍后重试", en: "Too many calls to WeChat; please try again later" },
  wechat_not_configured: {
    "zh-CN": "WeChat is not configured: 服务端未配置微信小程序 appid/secret",
    en: "WeChat is not configured: the server has no mini-program appid/secret",
  },
  wechat_misconfigured: { "zh-CN": "服务端微信配置错误", en: "The server's WeChat configuration is wrong" },
  internal_error: { "zh-CN": "服务器内部错误", en: "Internal server error" },
  wechat_unavailable: { "zh-CN": "微信服务暂时不可用,请稍后重试", en: "WeChat is unavailable at the moment; please try again later" },
  wechat_timeout: { "zh-CN": "微信服务响应超时,请稍后重试", en: "WeChat did not answer in time; please try again later" },
  database_unavailable: { "zh-CN": "数据库不可用", en: "The database is unavailable" },
  wechat_access_token_refreshing: {
    "zh-CN": "微信接口凭据正在刷新,请稍后重试",
    en: "The WeChat access token is being refreshed; please try again later",
  },
  wechat_access_token_budget_spent: {
    "zh-CN": "微信接口凭据今日刷新次数已用尽,请稍后重试",
    en: "Today's refreshes of the WeChat access token are used up; please try again later",
  },
  content_check_unavailable: {
    "zh-CN": "内容安全检测暂时不可用,请稍后重试",
    en: "WeChat's content check is unavailable at the moment; please try again later",
  },
  multipart_required: {
    "zh-CN": "请求体必须为 multipart/form-data(wx.uploadFile,name 为 file)",
    en: "The request body must be multipart/form-data (wx.uploadFile, with name file)",
  },
  malformed_multipart: { "zh-CN": "请求体不是合法的 multipart/form-data", en: "The request body is not valid multipart/form-data" },
  ...fileMessages(),
  avatar_too_large: { "zh-CN": "头像文件过大,上限 {limit}", en: "The avatar file is too large; the limit is {limit}" },
  avatar_rate_limited: { "zh-CN": "头像上传过于频繁,请稍后重试", en: "Too many avatar uploads; please try again later" },
  push_not_configured: { "zh-CN": "消息推送未启用", en: "Message push is not enabled" },
  push_unsigned: { "zh-CN": "推送缺少签名参数", en: "The push lacks its signature parameters" },
  push_bad_signature: { "zh-CN": "推送签名无效", en: "The push's signature is invalid" },
  push_stale: { "zh-CN": "推送时间戳超出允许范围", en: "The push's timestamp is out of range" },
  push_replayed: { "zh-CN": "重复的推送", en: "A repeated push" },
  // {mode} is the name WeChat's console gives the mode: 明文模式 or 安全模式.
  push_wrong_mode: { "zh-CN": "推送模式不符,服务端配置为{mode}", en: "Wrong push mode: the server is configured for {mode}" },
  push_unreadable: { "zh-CN": "推送内容无法解析", en: "The push's content cannot be parsed" },
  push_undecryptable: { "zh-CN": "推送密文无法解密: {reason}", en: "The push's ciphertext cannot be decrypted: {reason}" },
}) satisfies Record<string, Message>;

export type ErrorId = keyof ReturnType<typeof errorCatalog>;

const fieldCatalog = () => {
  const files = fileMessages();
  return {
    validation_required: { "zh-CN": "不能为空", en: "must not be empty" },
    "validation_required.profile_field": {
      "zh-CN": "至少提交 users_name、users_picture、users_phone_code 其中一项",
      en: "send at least one of users_name, users_picture, users_phone_code",
    },
    "validation_required.file_missing": files.file_missing,
    "validation_required.file_empty": files.file_empty,
    validation_invalid_type: { "zh-CN": "必须是字符串", en: "must be a string" },
    "validation_invalid_type.boolean": { "zh-CN": "必须是 true 或 false", en: "must be true or false" },
    "validation_invalid_type.object": { "zh-CN": "必须是对象", en: "must be an object" },
    "validation_invalid_type.consents": {
      "zh-CN": "必须是数组,每项为 {document, version}",
      en: "must be a list whose items are {document, version}",
    },
    "validation_invalid_type.consent_item": {
      "zh-CN": "第 {index} 项必须是 {document, version},均为字符串",
      en: "item {index} must be {document, version}, both strings",
    },
    "validation_too_long.items": { "zh-CN": "最多 {max} 项", en: "must have at most {max} items" },
    validation_too_long: { "zh-CN": "长度不能超过 {max} 个字符", en: "must be at most {max} characters long" },
    validation_invalid_format: { "zh-CN": "不是合法的微信 code", en: "is not a valid WeChat code" },
    "validation_invalid_format.record_id": { "zh-CN": "不是合法的记录 id", en: "is not a valid record id" },
    validation_invalid_characters: { "zh-CN": "不能包含控制字符或不可见字符", en: "must not contain control or invisible characters" },
    validation_invalid_url: { "zh-CN": "必须是 http(s) 图片地址", en: "must be an http(s) image URL" },
    "validation_invalid_value.scope": { "zh-CN": "必须是 current 或 all", en: "must be current or all" },
    "validation_invalid_value.winners": {
      "zh-CN": "只能为 users_phone、unionid 指明 into 或 from",
      en: "may name into or from only for users_phone and unionid",
    },
    "validation_invalid_value.action": { "zh-CN": "只能是 agree 或 withdraw", en: "must be agree or withdraw" },
    "validation_invalid_value.source": { "zh-CN": "只能是 settings 或 prompt", en: "must be settings or prompt" },
    "validation_invalid_value.consent_repeated": { "zh-CN": "第 {index} 项的协议重复", en: "item {index} repeats an agreement" },
    "validation_invalid_value.export_format": { "zh-CN": "只能是 csv 或 json", en: "must be csv or json" },
    "validation_invalid_value.later_than_from": { "zh-CN": "必须晚于 from", en: "must be later than from" },
    "validation_invalid_format.time": {
      "zh-CN": "必须是 YYYY-MM-DD(北京时间零点)或带时区的时间,如 2026-11-01T08:00:00+08:00",
      en: "must be YYYY-MM-DD (midnight, Beijing time) or a time with its zone, such as 2026-11-01T08:00:00+08:00",
    },
    consent_document_unknown: { "zh-CN": "第 {index} 项的协议不存在", en: "item {index} names no such agreement" },
    validation_unknown_appid: { "zh-CN": "未配置的 appid", en: "is not a configured appid" },
    validation_too_many_files: files.too_many_files,
    validation_invalid_image: files.image_type_unsupported,
    "validation_invalid_image.unreadable": files.image_unreadable,
    validation_image_dimensions: files.image_dimensions_exceeded,
    ...wechatCodeMessages(),
    avatar_not_found: { "zh-CN": "头像不存在或已过期,请重新上传", en: "No such avatar, or it has expired; please upload it again" },
    invite_invalid: { "zh-CN": "邀请码无效", en: "The invite code is invalid" },
    invite_expired: { "zh-CN": "邀请码已过期", en: "The invite code has expired" },
    invite_used_up: { "zh-CN": "邀请码已用完", en: "The invite code has been used up" },
    content_risky: { "zh-CN": "昵称含有违规内容,请修改", en: "The nickname contains prohibited content; please change it" },
    merge_conflict: {
      "zh-CN": "两个用户不同,请指明保留 into 或 from 的值",
      en: "differs between the two users; name whether to keep the value of into or of from",
    },
  } satisfies Record<string, Message>;
};

export type FieldMessageKey = keyof ReturnType<typeof fieldCatalog>;

// What a success answer's msg says, by its Chinese text.
const successCatalog = (): Record<string, string> => ({
  登录成功: "Logged in",
  注册成功: "Registered",
  "登录成功,已撤销账号注销": "Logged in; the account's deletion is cancelled",
  "token 刷新成功": "Token refreshed",
  资料更新成功: "Profile updated",
  已退出登录: "Logged out",
  账号已注销: "Account deleted",
  "注销申请已提交,冷静期内重新登录即可撤销": "Deletion requested; logging in again within the cooling-off period cancels it",
  合并成功: "Users merged",
  头像上传成功: "Avatar uploaded",
  服务运行正常: "The service is running",
  请求成功: "OK",
  获取成功: "OK",
  绑定成功: "Identity bound",
  已绑定: "Identity already bound",
  已解绑: "Identity unbound",
  已记录: "Recorded",
  导出成功: "Exported",
});

let errors: ReturnType<typeof errorCatalog> | undefined;
let fields: ReturnType<typeof fieldCatalog> | undefined;
let successes: Record<string, string> | undefined;
export const errorMessages = () => (errors ??= errorCatalog());
export const fieldMessages = () => (fields ??= fieldCatalog());
export const successMessages = () => (successes ??= successCatalog());

const PLACEHOLDER = /\{(\w+)\}/g;

export function filled(template: string, params: MessageParams = {}): string {
  return template.indexOf("{") < 0 ? template : template.replace(PLACEHOLDER, (placeholder, name: string) => (name in params ? String(params[name]) : placeholder));
}

// The Chinese text of a failure, as it is built.
export function errorMessage(error: ErrorId, params?: MessageParams): string {
  return filled(errorMessages()[error]["zh-CN"], params);
}

export function fieldMessage(key: FieldMessageKey, params?: MessageParams): string {
  return filled(fieldMessages()[key]["zh-CN"], params);
}

// A failure's message in `language`, from its identifier and its Chinese text (which holds the
// values of the message's {placeholders}). The Chinese text when the catalog has no such message.
// One identifier may have several messages (errorCatalog's id.variant keys).
export function errorMessageIn(language: Language, error: string, zhText: string): string {
  if (language === DEFAULT_LANGUAGE) return zhText;
  for (const message of errorMessagesOf(error)) {
    const text = translation(message, zhText, language);
    if (text !== undefined) return text;
  }
  return zhText;
}

// A field problem's message in `language`, from its code and its Chinese text: one code may have
// several messages (fieldCatalog's code.variant keys).
export function fieldMessageIn(language: Language, code: string, zhText: string): string {
  if (language === DEFAULT_LANGUAGE) return zhText;
  for (const message of fieldMessagesOf(code)) {
    const text = translation(message, zhText, language);
    if (text !== undefined) return text;
  }
  return zhText;
}

export function successMessage(zhText: string, language: Language): string {
  return language === DEFAULT_LANGUAGE ? zhText : (successMessages()[zhText] ?? zhText);
}

// The code a field problem carries for a catalog key: "validation_required.file_missing" → "validation_required".
export function fieldCodeOf(key: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? key : key.slice(0, dot);
}

// `message` in `language` when zhText is its Chinese text, with the same values in its placeholders.
export function translation(message: Message, zhText: string, language: Language): string | undefined {
  const params = paramsIn(message["zh-CN"], zhText);
  return params ? filled(message[language], params) : undefined;
}

// Built on first use, in each VM: a table at load would cost every VM that never needs it.
const templatePatterns = new Map<string, { pattern: RegExp; names: string[] }>();
let fieldMessagesByCode: Map<string, Message[]> | undefined;
let errorMessagesById: Map<string, Message[]> | undefined;

// The values of template's placeholders in text, or undefined when text is not the template's.
export function paramsIn(template: string, text: string): MessageParams | undefined {
  if (template.indexOf("{") < 0) return template === text ? {} : undefined;
  let compiled = templatePatterns.get(template);
  if (!compiled) {
    const names: string[] = [];
    const source = template
      .split(PLACEHOLDER)
      .map((part, index) => (index % 2 === 1 ? (names.push(part), "([^]+?)") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
    compiled = { pattern: new RegExp(`^${source}$`), names };
    templatePatterns.set(template, compiled);
  }
  const match = compiled.pattern.exec(text);
  if (!match) return undefined;
  const params: MessageParams = {};
  compiled.names.forEach((name, index) => (params[name] = match[index + 1]));
  return params;
}

function fieldMessagesOf(code: string): Message[] {
  fieldMessagesByCode ??= messagesByCode(fieldMessages());
  return fieldMessagesByCode.get(code) ?? [];
}

function errorMessagesOf(error: string): Message[] {
  errorMessagesById ??= messagesByCode(errorMessages());
  return errorMessagesById.get(error) ?? [];
}

function messagesByCode(catalog: Record<string, Message>): Map<string, Message[]> {
  const byCode = new Map<string, Message[]>();
  for (const [key, message] of Object.entries(catalog)) {
    const sameCode = byCode.get(fieldCodeOf(key)) ?? [];
    sameCode.push(message);
    byCode.set(fieldCodeOf(key), sameCode);
  }
  return byCode;
}
