// The contract's user object, built from a tbl_auth_users record.
import { companyInfoOf, type CompanyInfo } from "../companies/company-info";
import { maskPhone } from "./user-profile";

export interface UserInfo {
  pb_id: string;
  users_id: string;
  users_type: string;
  users_name: string;
  users_phone: string;
  users_phone_masked: string;
  users_picture: string;
  openid: string;
  company_id: string;
  company: CompanyInfo | null;
  created: string;
  updated: string;
}

export function userInfoOf(user: core.Record): UserInfo {
  // One method lookup for the ten reads: goja wraps a Go method anew at each `user.getString`.
  const field = user.getString;
  const phone = field("users_phone");
  const companyId = field("company_id");
  return {
    pb_id: user.id,
    users_id: field("users_id"),
    users_type: field("users_type"),
    users_name: field("users_name"),
    users_phone: phone,
    users_phone_masked: maskPhone(phone),
    users_picture: field("users_picture"),
    openid: field("openid"),
    company_id: companyId,
    company: companyId === "" ? null : companyInfoOf(companyId),
    created: field("created"),
    updated: field("updated"),
  };
}
