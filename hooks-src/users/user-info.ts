// The contract's user object, built from a tbl_auth_users record.
import { maskPhone } from "./user-profile";

export const COMPANY_COLLECTION = "tbl_company";

export const COMPANY_FIELDS = [
  "company_id",
  "company_name",
  "company_type",
  "company_entity",
  "company_usci",
  "company_nationality",
  "company_province",
  "company_city",
  "company_postalcode",
  "company_add",
  "company_status",
  "company_level",
  "company_remark",
] as const;

export type CompanyInfo = Record<(typeof COMPANY_FIELDS)[number], string>;

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
    company: companyId === "" ? null : findCompany(companyId),
    created: user.getString("created"),
    updated: user.getString("updated"),
  };
}

function findCompany(companyId: string): CompanyInfo | null {
  let company: core.Record;
  try {
    company = $app.findFirstRecordByData(COMPANY_COLLECTION, "company_id", companyId);
  } catch {
    return null;
  }
  const info = {} as CompanyInfo;
  for (const field of COMPANY_FIELDS) info[field] = company.getString(field);
  return info;
}
