import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { avatarFailures, avatarNotUsable } from "../avatars/avatar-errors";
import { contentCheckUnavailable, nicknameRisky } from "../content-security/nickname-check";
import { auditFailures } from "../audit/audit-errors";
import type { ConsentDocument } from "../consents/consent-config";
import { consentFailures } from "../consents/consent-errors";
import { ApiFailure, failures, type FieldProblems } from "../errors";
import { aesDecryptionFailed, pushFailures } from "../push/push-errors";
import { riskFailures } from "../risk/risk-errors";
import { apiFailureForWechatError, WechatErrcodeError } from "../wechat/errors";
import { errorMessages, errorMessageIn, fieldMessages, fieldCodeOf, fieldMessageIn, paramsIn, successMessages, successMessage, type Message } from "./messages";

const spec = parse(readFileSync(join(import.meta.dirname, "../../spec/openapi.yaml"), "utf8"));
const specErrorIds: string[] = spec.components.schemas.ErrorResponse.properties.error.enum;
const specFieldCodes: string[] = spec.components.schemas.FieldProblem.properties.code.enum;

// Arguments for the factories that take some; any other factory is called with none.
const SAMPLE_ARGUMENTS: Record<string, unknown[]> = {
  invalidFields: [{ users_name: { code: "validation_required", message: "不能为空" } }],
  wechatCodeRejected: ["users_wx_code", "wechat_code_used"],
  mergeRefusedStatus: ["注销中"],
  mergeConflict: [["users_phone", "unionid"]],
  methodNotAllowed: ["GET/POST"],
  payloadTooLarge: [16 * 1024],
  wrongMode: ["安全模式"],
  staleVersion: [[{ document: "privacy_policy", title: "隐私政策", version: "2", url: "https://e.com/p2" } as ConsentDocument]],
  required: [[{ document: "privacy_policy", title: "隐私政策", version: "2", url: "https://e.com/p2" } as ConsentDocument]],
};

// Every failure a route can throw, made by its factory: a failure added anywhere in these
// tables without an identifier, or whose identifier has no message in both languages, fails below.
const everyFailure: Array<[string, ApiFailure]> = [
  ...Object.entries({ ...failures, ...avatarFailures, ...pushFailures, ...riskFailures, ...auditFailures, ...consentFailures }).map(([name, make]): [string, ApiFailure] => [
    name,
    (make as (...args: unknown[]) => ApiFailure)(...(SAMPLE_ARGUMENTS[name] ?? [])),
  ]),
  ["nicknameRisky", nicknameRisky()],
  ["contentCheckUnavailable", contentCheckUnavailable()],
  ["aesDecryptionFailed", aesDecryptionFailed("bad padding")],
  ...[40029, 40163, 40226, 45011, 40125, -1].map((errcode): [string, ApiFailure] => [
    `WeChat's ${errcode}`,
    apiFailureForWechatError(new WechatErrcodeError(errcode, "", "jscode2session"), "users_wx_code"),
  ]),
  ["WeChat's 40013 on a phone code", apiFailureForWechatError(new WechatErrcodeError(40013, "", "getuserphonenumber"), "users_phone_code")],
];

// A failure's messages: one identifier may have several (errorCatalog's id.variant keys).
const messagesOf = (error: string) => Object.entries(errorMessages() as Record<string, Message>).filter(([key]) => fieldCodeOf(key) === error).map(([, message]) => message);
const fieldProblemsOf = (failure: ApiFailure): FieldProblems => ("documents" in failure.data ? {} : (failure.data as FieldProblems));

const placeholdersOf = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("the message catalog", () => {
  it.each(Object.entries({ ...errorMessages(), ...fieldMessages() }))("has %s in both languages, with the same placeholders", (_, message: Message) => {
    expect(message["zh-CN"].trim()).not.toBe("");
    expect(message.en.trim()).not.toBe("");
    // Chinese only where it quotes what the user sees on screen: 「使用完整服务」.
    expect(message.en.replace(/「[^」]*」/g, "")).not.toMatch(/[\u4e00-\u9fff]/);
    expect(placeholdersOf(message.en)).toEqual(placeholdersOf(message["zh-CN"]));
  });

  it("has every identifier the spec lists, and lists none the spec does not", () => {
    expect([...new Set(Object.keys(errorMessages()).map(fieldCodeOf))].sort()).toEqual([...specErrorIds].sort());
  });

  it("has a message for every field code the spec lists, and no code the spec does not", () => {
    expect([...new Set(Object.keys(fieldMessages()).map(fieldCodeOf))].sort()).toEqual([...specFieldCodes].sort());
  });

  it("gives every success message an English one", () => {
    for (const [zh, en] of Object.entries(successMessages())) {
      expect(en, zh).toMatch(/^[\x20-\x7e]+$/);
      expect(successMessage(zh, "en")).toBe(en);
      expect(successMessage(zh, "zh-CN")).toBe(zh);
    }
  });
});

describe("every failure", () => {
  it.each(everyFailure)("%s has an identifier the spec lists, and its message in both languages", (_, failure) => {
    expect(specErrorIds).toContain(failure.error);
    const message = messagesOf(failure.error).find((candidate) => paramsIn(candidate["zh-CN"], failure.msg));
    expect(message, `${failure.msg} is not a zh-CN message of ${failure.error}`).toBeDefined();
    expect(errorMessageIn("zh-CN", failure.error, failure.msg)).toBe(failure.msg);
    const english = errorMessageIn("en", failure.error, failure.msg);
    expect(english).toBe(message!.en.replace(/\{(\w+)\}/g, (_, name) => paramsIn(message!["zh-CN"], failure.msg)![name] as string));
    for (const [field, problem] of Object.entries(fieldProblemsOf(failure))) {
      expect(specFieldCodes, field).toContain(problem.code);
      expect(fieldMessageIn("en", problem.code, problem.message), `${field}: ${problem.message}`).not.toBe(problem.message);
    }
  });

  it("keeps today's Chinese text, byte for byte", () => {
    const today: Record<string, string> = {
      invalidFields: "参数错误",
      malformedJson: "请求体不是合法的 JSON",
      bodyNotAnObject: "请求体必须是 JSON 对象",
      wechatCodeRejected: "微信 code 已被使用",
      missingToken: "缺少 Authorization: Bearer <token>",
      invalidToken: "token 无效或已过期,请重新登录",
      accountDisabled: "账号已被禁用,请联系管理员",
      accountDeletionPending: "账号注销中,重新登录即可撤销注销",
      accountDeleted: "账号已注销",
      identityNotFound: "身份不存在",
      bindConflict: "该微信身份已属于另一个账号,如为同一人请联系管理员合并",
      lastIdentity: "这是账号唯一的登录方式且未绑定手机号,不能解绑",
      mergeSameUser: "不能把用户合并到自己",
      mergeRefusedStatus: "注销中的账号不能合并",
      mergeConflict: "两个用户的以下字段不同,请在 winners 中指明保留哪一方",
      staffOnly: "仅限管理员",
      accountConflict: "该微信身份对应多个账号,请联系管理员合并账号",
      unionidRequired: "需要用户授权(snsapi_userinfo)才能确认身份,请重新授权登录",
      snapshotUser: "朋友圈快照页不能登录,请点击「使用完整服务」后重试",
      userNotFound: "用户不存在",
      methodNotAllowed: "请求方法不允许,请使用 GET/POST",
      requestTimeout: "请求体接收超时",
      payloadTooLarge: "请求体过大,上限 16 KB",
      unsupportedMediaType: "请求体必须为 application/json",
      duplicateLoginCode: "重复请求过于频繁,请勿重复提交同一登录凭证",
      rateLimited: "请求过于频繁,请稍后重试",
      wechatRateLimited: "微信接口调用过于频繁,请稍后重试",
      wechatNotConfigured: "WeChat is not configured: 服务端未配置微信小程序 appid/secret",
      wechatMisconfigured: "服务端微信配置错误",
      internal: "服务器内部错误",
      wechatUnavailable: "微信服务暂时不可用,请稍后重试",
      wechatTimeout: "微信服务响应超时,请稍后重试",
      databaseUnavailable: "数据库不可用",
      wechatAccessTokenRefreshing: "微信接口凭据正在刷新,请稍后重试",
      wechatAccessTokenBudgetSpent: "微信接口凭据今日刷新次数已用尽,请稍后重试",
      notMultipart: "请求体必须为 multipart/form-data(wx.uploadFile,name 为 file)",
      malformedMultipart: "请求体不是合法的 multipart/form-data",
      missingFile: "缺少文件字段 file",
      severalFiles: "只能上传一个文件",
      emptyFile: "文件为空",
      notAnImage: "只支持 JPEG、PNG、WebP、GIF 图片",
      unreadableImage: "图片文件已损坏或不完整",
      tooManyPixels: "图片尺寸超出限制:每边最多 2048 像素,长边不超过短边的 20 倍",
      tooLarge: "头像文件过大,上限 2 MB",
      tooFrequent: "头像上传过于频繁,请稍后重试",
      notConfigured: "消息推送未启用",
      unsigned: "推送缺少签名参数",
      badSignature: "推送签名无效",
      stale: "推送时间戳超出允许范围",
      replayed: "重复的推送",
      wrongMode: "推送模式不符,服务端配置为安全模式",
      badBody: "推送内容无法解析",
      nicknameRisky: "参数错误",
      contentCheckUnavailable: "内容安全检测暂时不可用,请稍后重试",
      aesDecryptionFailed: "推送密文无法解密: bad padding",
      accountPendingApproval: "账号待管理员审核,审核通过后即可登录",
      phoneLoginRequired: "请使用手机号快捷登录",
      phoneNotRegistered: "该手机号未登记,请联系管理员开通账号",
      registrationClosed: "暂不开放注册",
      phoneInUse: "该手机号已属于另一个微信账号,请联系管理员",
      duplicatePhoneUsers: "该手机号对应多个账号,请联系管理员处理",
      registrationRefused: "账号存在安全风险,暂时无法注册",
      superuserRequired: "仅限管理员(superuser)导出审计记录",
      staleVersion: "协议已更新,请阅读最新版本后再同意",
      required: "请先阅读并同意最新的协议",
    };
    const made = Object.fromEntries(everyFailure.filter(([name]) => name in today).map(([name, failure]) => [name, failure.msg]));
    expect(made).toEqual(today);
    const problems = Object.fromEntries(
      everyFailure.flatMap(([, failure]) => Object.values(fieldProblemsOf(failure))).map((problem) => [problem.message, problem.code]),
    );
    expect(problems).toMatchObject({
      "微信 code 已被使用": "wechat_code_used",
      "昵称含有违规内容,请修改": "content_risky",
      "两个用户不同,请指明保留 into 或 from 的值": "merge_conflict",
      "手机号 code 不属于本小程序": "wechat_code_wrong_app",
    });
    expect(avatarNotUsable()).toEqual({ code: "avatar_not_found", message: "头像不存在或已过期,请重新上传" });
  });
});

describe("errorMessageIn", () => {
  it("carries the values of the Chinese text into the English one", () => {
    expect(errorMessageIn("en", "payload_too_large", "请求体过大,上限 64 KB")).toBe("The request body is too large; the limit is 64 KB");
    expect(errorMessageIn("en", "method_not_allowed", "请求方法不允许,请使用 POST/DELETE")).toBe("Method not allowed; use POST/DELETE");
    expect(errorMessageIn("en", "merge_refused_status", "已注销的账号不能合并")).toBe("An account of status 已注销 cannot be merged");
  });

  it("keeps the Chinese text of an identifier it lacks, or of a text that is not the identifier's", () => {
    expect(errorMessageIn("en", "no_such_error", "某个错误")).toBe("某个错误");
    expect(errorMessageIn("en", "account_disabled", "账号已被禁用")).toBe("账号已被禁用");
  });
});

describe("fieldMessageIn", () => {
  it("finds the message among those of one code by its Chinese text", () => {
    expect(fieldMessageIn("en", "validation_invalid_type", "必须是字符串")).toBe("must be a string");
    expect(fieldMessageIn("en", "validation_invalid_type", "必须是 true 或 false")).toBe("must be true or false");
    expect(fieldMessageIn("en", "validation_too_long", "长度不能超过 64 个字符")).toBe("must be at most 64 characters long");
    expect(fieldMessageIn("en", "validation_required", "缺少文件字段 file")).toBe("The file field is missing");
  });

  it("keeps the Chinese text it has no message for", () => {
    expect(fieldMessageIn("en", "validation_required", "不是这个")).toBe("不是这个");
    expect(fieldMessageIn("en", "no_such_code", "不能为空")).toBe("不能为空");
    expect(fieldMessageIn("zh-CN", "validation_required", "不能为空")).toBe("不能为空");
  });
});
