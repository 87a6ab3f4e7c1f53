// The example 公众号 page (examples/h5-official-account/) in a real browser, against the simulator's
// authorize page: a silent snsapi_base login, and for someone the 公众号 doesn't know yet, the
// unionid_required → snsapi_userinfo retry that signs them in as their mini-program account.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { api } from "../support/api";
import { chromiumAvailable, launchChromium, type Browser } from "../support/browser";
import { OFFICIAL_ACCOUNT, simulator, uniqueName } from "../support/wechat";

const client = api();
const simulatorUrl = inject("simulatorUrl");
const wechat = simulator(simulatorUrl);
const pageDir = join(projectRoot, "examples/h5-official-account");
const FILES: Record<string, string> = { "/index.html": "text/html; charset=utf-8", "/app.js": "text/javascript; charset=utf-8" };

let server: Server;
let pageUrl: string;
let browser: Browser;

// The page's own files, and a config.js that points it at this suite's PocketBase and simulator.
function servePage(): Promise<Server> {
  const config = `window.BAI_H5 = ${JSON.stringify({ apiBase: client.baseUrl, appid: OFFICIAL_ACCOUNT.appId, authorizeBase: simulatorUrl })};`;
  const pageServer = createServer((req, res) => {
    const path = new URL(req.url!, "http://page").pathname;
    if (path === "/config.js") return res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" }).end(config);
    if (!FILES[path]) return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": FILES[path] }).end(readFileSync(join(pageDir, path.slice(1))));
  });
  return new Promise((resolve) => pageServer.listen(0, "127.0.0.1", () => resolve(pageServer)));
}

const withChromium = chromiumAvailable("the 公众号 H5 page tests");

beforeAll(async () => {
  if (!withChromium) return;
  server = await servePage();
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  browser = await launchChromium({ width: 390, height: 844 });
}, 30_000);

afterAll(async () => {
  if (!withChromium) return;
  await browser?.close();
  await wechat.setAuthorizingUser(null);
  await new Promise((resolve) => server?.close(resolve));
});

// Opens the page in a fresh tab (its own sessionStorage) as WeChat user <name>; resolves once the
// page shows a result. Returns the tab and the scopes it asked WeChat's authorize page for.
async function openPageAs(name: string, options: { snapshot?: boolean } = {}): Promise<{ page: Page; scopes: string[] }> {
  await wechat.setAuthorizingUser(name, options);
  const authorizeCallsBefore = (await wechat.calls("/connect/oauth2/authorize")).length;
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(pageUrl);
  // Either outcome shows one of these; locators keep waiting across the page's redirects.
  await page.locator("#user:not([hidden]), #retry:not([hidden])").first().waitFor();
  const scopes = (await wechat.calls("/connect/oauth2/authorize")).slice(authorizeCallsBefore).map((call) => call.query.scope);
  return { page, scopes };
}

describe.runIf(withChromium)("the 公众号 H5 example page", () => {
  it("signs a mini-program user in: snsapi_base, 409 unionid_required, then snsapi_userinfo joins their account", async () => {
    const name = uniqueName("union");
    const { user } = await client.signIn(name);
    const { page, scopes } = await openPageAs(name);
    expect(scopes).toEqual(["snsapi_base", "snsapi_userinfo"]);
    expect(await page.locator("#status").innerText()).toBe("已登录");
    expect(await page.locator("body").getAttribute("data-pb-id")).toBe(user.pb_id);
    expect(await page.locator("#users-id").innerText()).toBe(user.users_id);
    expect(await page.locator("#login-status").innerText()).toBe("linked");
    // The used code is out of the address bar, so a reload can't send it again.
    expect(new URL(page.url()).searchParams.has("code")).toBe(false);
    await page.close();

    // Next time the 公众号 knows them: the silent login is enough.
    const again = await openPageAs(name);
    expect(again.scopes).toEqual(["snsapi_base"]);
    expect(await again.page.locator("body").getAttribute("data-pb-id")).toBe(user.pb_id);
    expect(await again.page.locator("#login-status").innerText()).toBe("login_success");
    await again.page.close();
  });

  it("registers someone new to BAI after they grant snsapi_userinfo", async () => {
    const { page, scopes } = await openPageAs(uniqueName("union"));
    expect(scopes).toEqual(["snsapi_base", "snsapi_userinfo"]);
    expect(await page.locator("#login-status").innerText()).toBe("register_success");
    await page.close();
  });

  it("tells a user on a 朋友圈 snapshot page to open the full page, and offers a retry", async () => {
    const { page } = await openPageAs(uniqueName(), { snapshot: true });
    expect(await page.locator("#status").innerText()).toBe("朋友圈快照页不能登录,请点击「使用完整服务」后重试");
    expect(await page.locator("#retry").isVisible()).toBe(true);
    expect(await page.locator("body").getAttribute("data-pb-id")).toBeNull();
    await page.close();
  });
});
