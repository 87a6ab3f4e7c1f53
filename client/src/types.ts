// Names for the contract's types; all of them come from spec/openapi.yaml through generated/openapi.ts.
import type { components, paths } from "./generated/openapi";

type Schemas = components["schemas"];

export type { components, paths };
export type UserInfo = Schemas["UserInfo"];
export type CompanyInfo = Schemas["CompanyInfo"];
export type LoginResponse = Schemas["PocketBaseAuthResponse"];
export type LoginResult = Schemas["WechatLoginResponseData"];
export type PhoneLoginResponse = Schemas["PhoneLoginAuthResponse"];
export type PhoneLoginResult = Schemas["WechatPhoneLoginResponseData"];
export type RefreshResponse = Schemas["RefreshTokenAuthResponse"];
export type RefreshResult = Schemas["RefreshTokenResponseData"];
export type ProfileRequest = Schemas["WechatProfileRequest"];
export type ProfileResult = Schemas["WechatProfileResponseData"];
/** POST /api/wechat/profile's 200 answer; POST /api/wechat/profile/fields answers the same. */
export type ProfileResponse = SuccessBodyOf<"/api/wechat/profile">;
// The body of POST /api/wechat/profile/fields: any non-empty subset of the profile's fields. Written from
// the profile's request until the route's own schema is in spec/openapi.yaml; then name that schema here.
export type ProfileFieldsRequest = Partial<ProfileRequest>;
export type ErrorResponse = Schemas["ErrorResponse"];
export type LogoutScope = NonNullable<Schemas["LogoutRequest"]["scope"]>;
export type DeleteAccountResult = Schemas["DeleteAccountResponseData"];
/** One of the user's WeChat identities (an app they sign in through), openid masked. */
export type Identity = Schemas["IdentityView"];
export type BindIdentityResult = SuccessBodyOf<"/api/wechat/identities">["data"];
export type ConsentDocument = Schemas["ConsentDocument"];
export type ConsentItem = Schemas["ConsentItem"];
export type ConsentOverview = Schemas["ConsentOverview"];
export type ConsentSource = NonNullable<Schemas["ConsentRequest"]["source"]>;
export type MyData = Schemas["MyData"];

/** The contract's paths answered with POST. */
export type PostPath = { [P in keyof paths]: paths[P] extends { post: object } ? P : never }[keyof paths];

type PostOperation<P extends PostPath> = paths[P] extends { post: infer Operation } ? Operation : never;

/** The JSON body a POST path takes (`undefined` when it takes none; the body may be left out when the contract says so). */
export type RequestBodyOf<P extends PostPath> = PostOperation<P> extends { requestBody?: never }
  ? undefined
  : PostOperation<P> extends { requestBody?: { content: { "application/json": infer Body } } }
    ? Body
    : undefined;

/** The JSON a POST path answers with 200. */
export type SuccessBodyOf<P extends PostPath> = PostOperation<P> extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : unknown;
