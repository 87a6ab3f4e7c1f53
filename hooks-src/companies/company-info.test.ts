import { describe, expect, it } from "vitest";
import { asStore, MemoryStore } from "../test-doubles";
import { COMPANY_CACHE_MS, companyInfoOf, type CompanyInfo } from "./company-info";

const company = (name: string) => ({ company_id: "C1", company_name: name }) as CompanyInfo;

function counting(answer: CompanyInfo | null) {
  const calls: string[] = [];
  return { calls, find: (companyId: string) => (calls.push(companyId), answer) };
}

describe("companyInfoOf", () => {
  it("reads a company once, then answers from the store until it expires", () => {
    const store = asStore(new MemoryStore());
    const first = counting(company("甲"));
    expect(companyInfoOf("C1", store, 0, first.find)).toEqual(company("甲"));
    const second = counting(company("乙"));
    expect(companyInfoOf("C1", store, COMPANY_CACHE_MS - 1, second.find)).toEqual(company("甲"));
    expect(second.calls).toEqual([]);
    expect(companyInfoOf("C1", store, COMPANY_CACHE_MS, second.find)).toEqual(company("乙"));
    expect(second.calls).toEqual(["C1"]);
  });

  it("keeps no answer for a company that does not exist", () => {
    const store = asStore(new MemoryStore());
    expect(companyInfoOf("C9", store, 0, counting(null).find)).toBeNull();
    const created = counting(company("丙"));
    expect(companyInfoOf("C9", store, 1, created.find)).toEqual(company("丙"));
    expect(created.calls).toEqual(["C9"]);
  });
});
