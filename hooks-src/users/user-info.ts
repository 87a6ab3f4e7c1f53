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
  const phone = user.getString("users_phone");
  const companyId = user.getString("company_id");
  return {
    pb_id: user.id,
    users_id: user.getString("users_id"),
    users_type: user.getString("users_type"),
    users_name: user.getString("users_name"),
    users_phone: phone,
    users_phone_masked: maskPhone(phone),
    users_picture: user.getString("users_picture"),
    openid: user.getString("openid"),
    company_id: companyId,
    company: companyId === "" ? null : companyInfoOf(companyId),
    created: user.getString("created"),
    updated: user.getString("updated"),
  };
}
