export { createClient, type BaiClient, type ClientOptions, type ProfileUpdate, type RequestOptions } from "./client";
export { BaiClientError, type FieldError } from "./errors";
export { WxStorageAuthStore, type AuthChangeListener } from "./auth-store";
export { isRenewalDue, tokenExpiry } from "./token";
export type {
  CompanyInfo,
  ConsentDocument,
  ConsentItem,
  ConsentOverview,
  ConsentSource,
  MyData,
  DeleteAccountResult,
  LogoutScope,
  ErrorResponse,
  LoginResponse,
  LoginResult,
  PostPath,
  ProfileRequest,
  ProfileResult,
  RefreshResponse,
  RefreshResult,
  RequestBodyOf,
  SuccessBodyOf,
  UserInfo,
  components,
  paths,
} from "./types";
export type { WxApi } from "./wx";
