// The company in the user object of every login, refresh and profile answer. Companies are kept
// in a cache shared by every VM; a change staff make in the admin UI shows in the next answer.
import { beforeAll, describe, expect, it } from "vitest";
import { adminClient } from "../support/admin";
import { api } from "../support/api";
import { codes, uniqueName } from "../support/wechat";

const client = api();
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

async function signedInWithCompany(companyId: string) {
  const name = uniqueName("company");
  const { token, user } = await client.signIn(name);
  await admin.users.update(user.pb_id, { company_id: companyId });
  const companyOf = async () => (await client.refreshToken(token)).body.meta.data.user.company;
  const companyAtLogin = async () => (await client.login(codes.loginAs(name))).body.meta.data.user.company;
  return { user, companyOf, companyAtLogin };
}

describe("the user's company", () => {
  it("follows staff's edits of the company at once", async () => {
    const companyId = `CC${Date.now()}`;
    const company = await admin.companies.create({ company_id: companyId, company_name: "初始公司", company_city: "杭州市" });
    const { companyOf, companyAtLogin } = await signedInWithCompany(companyId);
    expect(await companyOf()).toMatchObject({ company_id: companyId, company_name: "初始公司", company_city: "杭州市" });
    expect(await companyOf()).toMatchObject({ company_name: "初始公司" });

    await admin.companies.update(company.id, { company_name: "改名公司" });
    expect(await companyOf()).toMatchObject({ company_name: "改名公司" });
    expect(await companyAtLogin()).toMatchObject({ company_name: "改名公司" });

    await admin.companies.update(company.id, { company_id: `${companyId}-NEW` });
    expect(await companyOf()).toBeNull();

    await admin.companies.update(company.id, { company_id: companyId, company_status: "停用" });
    expect(await companyOf()).toMatchObject({ company_id: companyId, company_status: "停用" });

    await admin.companies.delete(company.id);
    expect(await companyOf()).toBeNull();
  });

  it("appears at once when staff create it after linking the user", async () => {
    const companyId = `CL${Date.now()}`;
    const { companyOf } = await signedInWithCompany(companyId);
    expect(await companyOf()).toBeNull();
    await admin.companies.create({ company_id: companyId, company_name: "后建公司" });
    expect(await companyOf()).toMatchObject({ company_id: companyId, company_name: "后建公司" });
  });
});
