// Staff's view, in a real browser: PocketBase's admin UI lists the users that WeChat logins
// created, with name, type and phone readable, and a user's record shows their company_id.
// The admin UI is the shared instance's (/_/), or BAI_ADMIN_BASE's (e.g. through the /pb proxy).
// Leaves a screenshot of the list in .tmp/admin-users.png; with BAI_UPDATE_SCREENSHOT=1 in
// docs/admin-users.png (npm run docs:screenshot).
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { filePart, png, uploadAvatar } from "../support/avatars";
import { chromiumAvailable, launchChromium, type Browser } from "../support/browser";
import { SUPERUSER } from "../support/pocketbase";
import { codes, uniqueName } from "../support/wechat";

const adminBase = process.env.BAI_ADMIN_BASE ?? `${inject("pocketbaseUrl")}/_/`;
const screenshotPath = join(projectRoot, process.env.BAI_UPDATE_SCREENSHOT ? "docs" : ".tmp", "admin-users.png");
const viewport = { width: 1280, height: 800 };

// In every openid of this run, to tell these users from those of other files.
const runTag = uniqueName("adm").toLowerCase();
const people = [
  { name: `zhang${runTag}`, profile: { users_name: "张三", phone: "13800138001" }, company: true },
  { name: `li${runTag}`, profile: { users_name: "李四", phone: "13900139002" } },
  { name: `guest1${runTag}` },
  { name: `guest2${runTag}` },
  { name: `waiting${runTag}`, pending: true },
];
const companyId = `C${runTag.slice(-8).toUpperCase()}`;

let browser: Browser;
let page: Page;

const withChromium = chromiumAvailable("the admin UI tests");

beforeAll(async () => {
  if (!withChromium) return;
  const client = api();
  const admin = await adminClient();
  await admin.companies.create({ company_id: companyId, company_name: "示例科技有限公司", company_city: "杭州市" });
  for (const person of people) {
    const { token, user } = await client.signIn(person.name);
    if (person.profile) {
      const { users_name, phone } = person.profile;
      const upload = await uploadAvatar(token, [filePart(png(120, 120))]);
      const response = await client.profile(token, validProfile({ users_name, users_phone_code: codes.phone(phone), users_picture: upload.body.data.url }));
      expect(response.status).toBe(200);
    }
    if (person.company) await admin.users.update(user.pb_id, { company_id: companyId });
    if (person.pending) await admin.users.update(user.pb_id, { users_status: "待审核" });
  }

  browser = await launchChromium(viewport);
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
}, 30_000);

afterAll(async () => {
  if (!withChromium) return;
  await browser?.close();
});

const usersTable = () => page.locator("table[data-pb=recordsListTable]");
const recordRows = () => usersTable().locator("tbody tr:has(td[data-name=openid])");
const rowOf = (name: string) => recordRows().filter({ hasText: `osim_${name}` });
const cellText = async (name: string, field: string) => (await rowOf(name).locator(`td[data-name=${field}]`).innerText()).trim();

describe.runIf(withChromium)("the admin UI", () => {
  it("lets staff sign in and lists the users that WeChat logins created", async () => {
    const requestedOrigins = new Set<string>();
    page.on("request", (request) => requestedOrigins.add(new URL(request.url()).origin));

    await page.goto(adminBase);
    await page.locator("input[name=identity]").fill(SUPERUSER.email);
    await page.locator("input[name=password]").fill(SUPERUSER.password);
    await page.getByRole("button", { name: "Login" }).click();
    await page.locator("aside.collections-sidebar").getByText("tbl_auth_users", { exact: true }).click();
    // Newest first, so this run's users head the list.
    for (const person of people) {
      await expect.poll(() => rowOf(person.name).count()).toBe(1);
      expect(await cellText(person.name, "users_type")).toBe(person.profile ? "注册用户" : "游客");
      expect(await cellText(person.name, "users_status")).toBe(person.pending ? "待审核" : "正常");
      if (person.profile) {
        expect(await cellText(person.name, "users_name")).toBe(person.profile.users_name);
        expect(await cellText(person.name, "users_phone")).toBe(person.profile.phone);
      }
    }
    // Readable without scrolling sideways: name, phone and type are inside the window.
    for (const field of ["users_name", "users_phone", "users_type"]) {
      const box = await rowOf(people[0].name).locator(`td[data-name=${field}]`).boundingBox();
      expect(box, field).not.toBeNull();
      expect(box!.x + box!.width, field).toBeLessThanOrEqual(viewport.width);
    }

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    // Everything the page loaded came from the admin UI's own server.
    expect([...requestedOrigins]).toEqual([new URL(adminBase).origin]);
  });

  it("lists the users waiting for approval with one filter", async () => {
    const search = page.locator("form.searchbar .editor-content");
    await search.fill('users_status = "待审核"');
    await search.press("Enter");
    await expect.poll(() => recordRows().filter({ hasText: runTag }).count()).toBe(1);
    expect(await rowOf(`waiting${runTag}`).count()).toBe(1);
    await search.fill("");
    await search.press("Enter");
    await expect.poll(() => rowOf(people[0].name).count()).toBe(1);
  });

  it("shows a user's uploaded avatar as a thumbnail in the list", async () => {
    const thumbnail = rowOf(people[0].name).locator("td[data-name=users_avatar] img");
    await expect.poll(() => thumbnail.count()).toBeGreaterThan(0);
    expect(await thumbnail.first().getAttribute("src")).toMatch(/\/api\/files\/[^/]+\/[a-z0-9]{15}\/avatar_[a-z0-9]+\.png\?thumb=100x100/);
    await expect.poll(() => thumbnail.first().evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(100);
  });

  it("shows a user's company_id in their record", async () => {
    await rowOf(people[0].name).click();
    const companyField = page.locator(".modal textarea[name=company_id]");
    await expect.poll(() => companyField.inputValue()).toBe(companyId);
    expect(await page.locator(".modal textarea[name=users_name]").inputValue()).toBe("张三");
  });

  // The erasure cron would never come for a 注销中 account without a due date.
  it("refuses to empty the due date of a 注销中 account, with the reason under the field", async () => {
    const { token, user } = await api().signIn(`pending${runTag}`);
    expect((await api().post("/api/wechat/delete-account", undefined, { token })).status).toBe(200);
    // Opened from its URL, as a link staff share would open it (loaded afresh, not a hash change).
    await page.goto(`${adminBase}?open=${user.pb_id}#/collections?collection=tbl_auth_users&record=${user.pb_id}`);
    await expect.poll(() => page.locator(".modal textarea[name=id]").inputValue()).toBe(user.pb_id);
    const due = page.locator(".modal input[name=users_deletion_due]");
    await expect.poll(() => due.inputValue()).not.toBe("");
    await due.fill("");
    await due.blur();
    await page.locator(".modal").getByRole("button", { name: "Save changes" }).click();
    const fieldError = page.locator('.modal .generated-error[data-input-name="users_deletion_due"]');
    await expect.poll(() => fieldError.innerText()).toContain("注销中的账号必须有注销到期时间");
  });
});
