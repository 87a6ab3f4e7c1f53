export { createAuthClient, type BaiAuthClient, type ClientOptions, type LoginOptions, type ProfileUpdate, type RequestOptions } from "./client";
export { createClient, type BaiClient } from "./full-client";
export { BaiClientError, type FieldError } from "./errors";
export { WxStorageAuthStore, type AuthChangeListener } from "./auth-store";
export { isRenewalDue, tokenExpiry } from "./token";
export { filter } from "./filter";
export { WxFile, wxFile, type ListResult, type RecordBody, type RecordFullListOptions, type RecordListOptions, type RecordModel, type RecordOptions, type RecordSubscribeOptions, type RecordSubscription } from "./records";
export type { FileOptions } from "./files";
export type { QueryParams } from "./query";
export type { Realtime, RealtimeCallback, RealtimeOptions, UnsubscribeFunc } from "./realtime";
export type {
  BindIdentityResult,
  CompanyInfo,
  ConsentDocument,
  ConsentItem,
  ConsentOverview,
  ConsentSource,
  MyData,
  DeleteAccountResult,
  Identity,
  LogoutScope,
  ErrorResponse,
  LoginResponse,
  LoginResult,
  PhoneLoginResponse,
  PhoneLoginResult,
  PostPath,
  ProfileFieldsRequest,
  ProfileRequest,
  ProfileResponse,
  ProfileResult,
  RefreshResponse,
  RefreshResult,
  RequestBodyOf,
  SuccessBodyOf,
  UserInfo,
  components,
  paths,
} from "./types";
export type { WxApi, WxRequestTask } from "./wx";
