// The company of the contract's user object, by its company_id. Every login, refresh and
// profile update of a user with a company answers with it, while staff change companies
// rarely: so each company's answer is kept in $app.store() for every VM, dropped the moment
// staff save or delete that company (onRecordAfter*Success on tbl_company), and at the latest
// after COMPANY_CACHE_MS, which bounds a read that raced a save.
import { appStore } from "../app-store";
export const COMPANY_COLLECTION = "tbl_company";
export const COMPANY_CACHE_MS = 60_000;
const KEY_PREFIX = "bai.company.";

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

interface CachedCompany {
  until: number;
  info: CompanyInfo;
}

// An unknown company_id is not kept: the company staff create next must show at once.
export function companyInfoOf(
  companyId: string,
  store: store.Store<string, any> = appStore(),
  now = Date.now(),
  find: (companyId: string) => CompanyInfo | null = findCompany,
): CompanyInfo | null {
  const cached = store.get(KEY_PREFIX + companyId) as string | undefined;
  if (cached) {
    const entry = JSON.parse(cached) as CachedCompany;
    if (entry.until > now) return entry.info;
  }
  const info = find(companyId);
  if (info) store.set(KEY_PREFIX + companyId, JSON.stringify({ until: now + COMPANY_CACHE_MS, info }));
  return info;
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

// onRecordAfterUpdateSuccess and onRecordAfterDeleteSuccess on tbl_company: under its old
// company_id and its new one, for a company whose company_id staff changed.
export function forgetCompany(e: core.RecordEvent): void {
  const store = appStore();
  store.remove(KEY_PREFIX + e.record!.original().getString("company_id"));
  store.remove(KEY_PREFIX + e.record!.getString("company_id"));
  e.next();
}
