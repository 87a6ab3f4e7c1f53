export { createClient, type BaiClient, type ClientOptions, type LoginOptions, type ProfileUpdate, type RequestOptions } from "./client";
export { BaiClientError, type FieldError } from "./errors";
export { WxStorageAuthStore, type AuthChangeListener } from "./auth-store";
export { isRenewalDue, tokenExpiry } from "./token";
export type {
  CompanyInfo,
  DeleteAccountResult,
  LogoutScope,
  ErrorResponse,
  LoginResponse,
  LoginResult,
  PhoneLoginResponse,
  PhoneLoginResult,
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
