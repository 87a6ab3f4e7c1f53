// Field checks for request bodies. Everything here runs before any WeChat call or write,
// because getuserphonenumber is billed per call and a failed request must change nothing.
import { failures, fieldProblem, type FieldProblem, type FieldProblems } from "./errors";
import { CATEGORY_GROUP, categoryGroupOf } from "./unicode-categories";

export type JsonObject = Record<string, unknown>;

// WeChat issues login and phone codes as short ASCII tokens; anything else is not a code.
const WECHAT_CODE_PATTERN = /^[A-Za-z0-9_-]+$/;
export const WECHAT_CODE_MAX_LENGTH = 128;
export const USERS_NAME_MAX_LENGTH = 64;
export const USERS_PICTURE_MAX_LENGTH = 1024;
// Lowercase http(s), a host of DNS labels, an optional port, then only RFC 3986 characters
// and %XX escapes. Every URL this accepts, PocketBase's url field accepts too (see
// POCKETBASE_URL_HOST): a picture refused only at save time would have cost a billed
// WeChat call for nothing.
const PICTURE_URL_PATTERN =
  /^https?:\/\/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::(\d{1,5}))?(?:[/?#](?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*)?$/;
// PocketBase's url field (core/field_url.go) uses ozzo-validation's is.URL, which is
// govalidator.IsURL: its pattern (patterns.go, URL) takes a host as an IPv4 address whose
// first octet is 1-223 or 240-255, or as [A | Subdomain] B [.C]. Transcribed here for the
// ASCII hosts PICTURE_URL_PATTERN lets through, with its nested repetitions rewritten into
// equivalent ones that cannot backtrack for long. So "x.y.com" (one-letter first label
// before two more), "a.bc.d", "0.0.0.0" and "224.0.0.1" are refused, as PocketBase does.
const HOST_ALNUM = "[A-Za-z0-9]";
const GOVALIDATOR_IP = String.raw`(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3]|24\d|25[0-5])(?:\.(?:\d{1,2}|1\d\d|2[0-4]\d|25[0-5])){2}\.(?:[0-9]\d?|1\d\d|2[0-4]\d|25[0-5])`;
const GOVALIDATOR_A = `${HOST_ALNUM}(?:[A-Za-z0-9_-]+)?${HOST_ALNUM}(?:[-.]${HOST_ALNUM}+)*`;
const GOVALIDATOR_SUBDOMAIN = String.raw`(?:www\.|${HOST_ALNUM}+(?:[-_.]${HOST_ALNUM}+)*${HOST_ALNUM}\.${HOST_ALNUM}+)`;
const GOVALIDATOR_B = `${HOST_ALNUM}+(?:--?${HOST_ALNUM}+)*`; // = ([X]+-?-?)*[X]+
const POCKETBASE_URL_HOST = `^(?:${GOVALIDATOR_IP}|(?:${GOVALIDATOR_A}|${GOVALIDATOR_SUBDOMAIN})?${GOVALIDATOR_B}(?:\\.[A-Za-z]+)?)$`;
// Compiled at its first use: at load, compiling it took every VM's require() a tenth of its time.
let pocketBaseUrlHost: RegExp | undefined;
const isPocketBaseUrlHost = (host: string): boolean => (pocketBaseUrlHost ??= new RegExp(POCKETBASE_URL_HOST)).test(host);
// Characters of a visible category that show nothing: the default-ignorable letters and
// marks (combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and
// other variation selectors) and the braille blank.
const RENDERS_NOTHING: ReadonlyArray<readonly [number, number]> = [
  [0x034f, 0x034f], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180d], [0x180f, 0x180f], [0x2800, 0x2800],
  [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xffa0, 0xffa0], [0xe0100, 0xe01ef],
];
const ZERO_WIDTH_JOINER = 0x200d;
const EMOJI_PRESENTATION_SELECTOR = 0xfe0f;
// Enough for any script's stacked diacritics (Vietnamese, Thai, Tibetan), not for "Zalgo" text.
const MAX_MARKS_ON_ONE_CHARACTER = 5;

const problem = {
  required: (): FieldProblem => fieldProblem("validation_required"),
  notAString: (): FieldProblem => fieldProblem("validation_invalid_type"),
  tooLong: (max: number): FieldProblem => fieldProblem("validation_too_long", { max }),
  notAWechatCode: (): FieldProblem => fieldProblem("validation_invalid_format"),
  invisibleCharacters: (): FieldProblem => fieldProblem("validation_invalid_characters"),
  notAPictureUrl: (): FieldProblem => fieldProblem("validation_invalid_url"),
  notABoolean: (): FieldProblem => fieldProblem("validation_invalid_type.boolean"),
  noProfileField: (): FieldProblem => fieldProblem("validation_required.profile_field"),
};

type Check = (value: string) => FieldProblem | undefined;

function checkWechatCode(value: string): FieldProblem | undefined {
  if (value.length > WECHAT_CODE_MAX_LENGTH) return problem.tooLong(WECHAT_CODE_MAX_LENGTH);
  if (!WECHAT_CODE_PATTERN.test(value)) return problem.notAWechatCode();
  return undefined;
}

function checkUsersName(value: string): FieldProblem | undefined {
  if (value.trim() === "") return problem.required();
  if (Array.from(value).length > USERS_NAME_MAX_LENGTH) return problem.tooLong(USERS_NAME_MAX_LENGTH);
  if (!hasOnlyNameCharacters(value) || hasStrayZeroWidthJoiner(value)) return problem.invisibleCharacters();
  return undefined;
}

function checkPictureUrl(value: string): FieldProblem | undefined {
  if (value.length > USERS_PICTURE_MAX_LENGTH) return problem.tooLong(USERS_PICTURE_MAX_LENGTH);
  const match = PICTURE_URL_PATTERN.exec(value);
  if (!match || !isHostName(match[1]) || !isPocketBaseUrlHost(match[1]) || (match[2] !== undefined && !(Number(match[2]) >= 1 && Number(match[2]) <= 65535))) {
    return problem.notAPictureUrl();
  }
  return undefined;
}

// A name whose last label has a letter (example.com, localhost), or an IPv4 address; within
// DNS's limits (253 characters, 63 per label), which also bounds POCKETBASE_URL_HOST's work.
function isHostName(host: string): boolean {
  const labels = host.split(".");
  if (host.length > 253 || labels.some((label) => label.length > 63)) return false;
  if (/[A-Za-z]/.test(labels[labels.length - 1])) return true;
  return labels.length === 4 && labels.every((label) => /^\d{1,3}$/.test(label) && Number(label) <= 255);
}

// What a name may hold, by Unicode general category (unicode-categories.ts):
// - letters, numbers, punctuation and symbols (L, N, P, S), except those in RENDERS_NOTHING;
// - spaces (Zs), which trim() also takes off both ends;
// - combining marks (M), right after one of the above and at most MAX_MARKS_ON_ONE_CHARACTER;
// - as emoji sequences use them: U+FE0F right after a visible character, and U+200D between
//   two emoji (hasStrayZeroWidthJoiner).
// Nothing else: no control or format characters (tags included), line or paragraph
// separators, surrogates, private-use or unassigned code points.
function hasOnlyNameCharacters(value: string): boolean {
  let marks = 0;
  let afterVisible = false;
  for (const character of value) {
    const codePoint = character.codePointAt(0)!;
    if (codePoint === ZERO_WIDTH_JOINER) {
      afterVisible = false;
      continue;
    }
    const presentsEmoji: boolean = codePoint === EMOJI_PRESENTATION_SELECTOR && afterVisible && marks === 0;
    if (!presentsEmoji && RENDERS_NOTHING.some(([first, last]) => codePoint >= first && codePoint <= last)) return false;
    const group: number = presentsEmoji ? CATEGORY_GROUP.mark : categoryGroupOf(codePoint);
    if (group === CATEGORY_GROUP.other) return false;
    if (group === CATEGORY_GROUP.mark) {
      if (!afterVisible || ++marks > MAX_MARKS_ON_ONE_CHARACTER) return false;
      continue;
    }
    marks = 0;
    afterVisible = group === CATEGORY_GROUP.visible;
  }
  return true;
}

// U+200D joins emoji into one glyph (👨‍👩‍👧), so it is allowed only between two emoji.
function hasStrayZeroWidthJoiner(value: string): boolean {
  for (let i = value.indexOf("\u200D"); i !== -1; i = value.indexOf("\u200D", i + 1)) {
    const before = value.charCodeAt(i - 1);
    const after = value.charCodeAt(i + 1);
    const emojiBefore = (before >= 0xdc00 && before <= 0xdfff) || before === 0xfe0f;
    const emojiAfter = after >= 0xd800 && after <= 0xdbff;
    if (!emojiBefore || !emojiAfter) return true;
  }
  return false;
}

// Reads the named string fields, collecting every problem (with those of other fields found
// before) before failing once.
function readStringFields<Name extends string>(body: JsonObject, checks: Record<Name, Check>, problems: FieldProblems = {}): Record<Name, string> {
  const values = {} as Record<Name, string>;
  for (const name of Object.keys(checks) as Name[]) {
    const value = body[name];
    const found =
      value === undefined || value === null || value === ""
        ? problem.required()
        : typeof value !== "string"
          ? problem.notAString()
          : checks[name](value);
    if (found) problems[name] = found;
    else values[name] = value as string;
  }
  if (Object.keys(problems).length > 0) throw failures.invalidFields(problems);
  return values;
}

export interface LoginRequest {
  wechatCode: string;
  // A staff invite code: checked before WeChat is called, used when the login registers a user.
  inviteCode?: string;
  // The app the code is from; absent means the primary mini-program.
  appId?: string;
  // false for a login the client makes by itself (the SDK's renewal on another device): it must
  // not cancel a deletion the user asked for, only a login the user chose may.
  cancelDeletion: boolean;
}

export function readLoginRequest(body: JsonObject): LoginRequest {
  return readLogin(body, {}).login;
}

export interface PhoneLoginRequest extends LoginRequest {
  phoneCode: string;
}

// Both codes come from one tap: wx.login's and <button open-type="getPhoneNumber">'s.
export function readPhoneLoginRequest(body: JsonObject): PhoneLoginRequest {
  const { login, codes } = readLogin(body, { users_phone_code: checkWechatCode });
  return { ...login, phoneCode: codes.users_phone_code };
}

function readLogin<Extra extends string>(body: JsonObject, extraCodes: Record<Extra, Check>): { login: LoginRequest; codes: Record<Extra, string> } {
  const problems: FieldProblems = {};
  const cancelDeletion = body.cancel_deletion ?? true;
  if (typeof cancelDeletion !== "boolean") problems.cancel_deletion = problem.notABoolean();
  const appId = readOptionalAppId(body, problems);
  const inviteCode = readOptionalInviteCode(body, problems);
  const { users_wx_code, ...codes } = readStringFields(body, { users_wx_code: checkWechatCode, ...extraCodes } as Record<"users_wx_code" | Extra, Check>, problems);
  const login: LoginRequest = {
    wechatCode: users_wx_code,
    cancelDeletion: cancelDeletion as boolean,
    ...(appId === undefined ? {} : { appId }),
    ...(inviteCode === undefined ? {} : { inviteCode }),
  };
  return { login, codes: codes as unknown as Record<Extra, string> };
}

// Staff type invite codes of letters, digits, _ and - (tbl_invite_codes' pattern).
const INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]+$/;
export const INVITE_CODE_MAX_LENGTH = 64;

function readOptionalInviteCode(body: JsonObject, problems: FieldProblems): string | undefined {
  const code = body.invite_code;
  if (code === undefined || code === null) return undefined;
  if (typeof code !== "string") problems.invite_code = problem.notAString();
  else if (code === "") problems.invite_code = problem.required();
  else if (code.length > INVITE_CODE_MAX_LENGTH) problems.invite_code = problem.tooLong(INVITE_CODE_MAX_LENGTH);
  else if (!INVITE_CODE_PATTERN.test(code)) problems.invite_code = { code: "invite_invalid", message: "邀请码无效" };
  else return code;
  return undefined;
}

export interface WebLoginRequest {
  // The 网页授权 code WeChat sent the page back with.
  webCode: string;
  appId: string;
  cancelDeletion: boolean;
}

// A 公众号 H5 or website login names its app: there is no primary one to fall back on.
export function readWebLoginRequest(body: JsonObject): WebLoginRequest {
  const problems: FieldProblems = {};
  const cancelDeletion = body.cancel_deletion ?? true;
  if (typeof cancelDeletion !== "boolean") problems.cancel_deletion = problem.notABoolean();
  const appId = readOptionalAppId(body, problems);
  if (appId === undefined && problems.appid === undefined) problems.appid = problem.required();
  const { code } = readStringFields(body, { code: checkWechatCode }, problems);
  return { webCode: code, appId: appId!, cancelDeletion: cancelDeletion as boolean };
}

// Whether the appid is one of ours is the route's question (wechat/apps.ts appForLogin).
export function readOptionalAppId(body: JsonObject, problems: FieldProblems): string | undefined {
  const appId = body.appid;
  if (appId === undefined || appId === null) return undefined;
  if (typeof appId !== "string") problems.appid = problem.notAString();
  else if (appId === "") problems.appid = problem.required();
  else if (appId.length > 64) problems.appid = problem.tooLong(64);
  else return appId;
  return undefined;
}

export interface BindIdentityRequest {
  appId: string;
  code: string;
}

export function readBindIdentityRequest(body: JsonObject): BindIdentityRequest {
  const problems: FieldProblems = {};
  const appId = readOptionalAppId(body, problems);
  if (appId === undefined && problems.appid === undefined) problems.appid = problem.required();
  const { code } = readStringFields(body, { code: checkWechatCode }, problems);
  return { appId: appId!, code };
}

export interface MergeUsersRequest {
  into: string;
  from: string;
  winners: Partial<Record<"users_phone" | "unionid", "into" | "from">>;
}

const RECORD_ID = /^[a-z0-9]{15}$/;

export function readMergeUsersRequest(body: JsonObject): MergeUsersRequest {
  const problems: FieldProblems = {};
  const winners: MergeUsersRequest["winners"] = {};
  const given = body.winners ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) problems.winners = fieldProblem("validation_invalid_type.object");
  else {
    for (const [field, side] of Object.entries(given)) {
      if ((field !== "users_phone" && field !== "unionid") || (side !== "into" && side !== "from")) {
        problems.winners = fieldProblem("validation_invalid_value.winners");
      } else winners[field] = side;
    }
  }
  const ids = readStringFields(body, { into: checkRecordId, from: checkRecordId }, problems);
  return { into: ids.into, from: ids.from, winners };
}

function checkRecordId(value: string): FieldProblem | undefined {
  return RECORD_ID.test(value) ? undefined : fieldProblem("validation_invalid_format.record_id");
}

export interface ProfileRequest {
  name: string;
  phoneCode: string;
  pictureUrl: string;
}

const PROFILE_FIELD_CHECKS = {
  users_name: checkUsersName,
  users_phone_code: checkWechatCode,
  users_picture: checkPictureUrl,
};

type ProfileFieldName = keyof typeof PROFILE_FIELD_CHECKS;

export function readProfileRequest(body: JsonObject): ProfileRequest {
  const fields = readStringFields(body, PROFILE_FIELD_CHECKS);
  return { name: fields.users_name.trim(), phoneCode: fields.users_phone_code, pictureUrl: fields.users_picture };
}

// A partial edit: the fields sent get exactly readProfileRequest's checks (a field sent as null
// or "" is a problem, as there); the fields left out are undefined. Other keys are ignored.
export function readProfileFieldsRequest(body: JsonObject): Partial<ProfileRequest> {
  const sent = (Object.keys(PROFILE_FIELD_CHECKS) as ProfileFieldName[]).filter((name) => Object.hasOwn(body, name));
  if (sent.length === 0) {
    throw failures.invalidFields(Object.fromEntries(Object.keys(PROFILE_FIELD_CHECKS).map((name) => [name, problem.noProfileField()])));
  }
  const checks = Object.fromEntries(sent.map((name) => [name, PROFILE_FIELD_CHECKS[name]])) as Partial<Record<ProfileFieldName, Check>>;
  const fields: Partial<Record<ProfileFieldName, string>> = readStringFields(body, checks as Record<ProfileFieldName, Check>);
  return { name: fields.users_name?.trim(), phoneCode: fields.users_phone_code, pictureUrl: fields.users_picture };
}
