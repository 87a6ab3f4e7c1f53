// The SDK's npm tarball installed into a copy of examples/miniprogram and put through WeChat's
// 构建 npm (miniprogram-ci's packNpm, offline), then the example's pages run on what it produced.
// What only WeChat DevTools or a phone can check is listed in examples/miniprogram/README.md.
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: an .mjs script without types
import { build, clientRoot } from "../scripts/build.mjs";
import { loadInBareRealm } from "./bare-realm";
import { failure, fakeWx, type FakeWx } from "./fake-wx";
import { loadMiniProgram } from "./mini-program-loader";

const require = createRequire(import.meta.url);
const ci = require("miniprogram-ci");
const exampleRoot = join(clientRoot, "..", "examples", "miniprogram");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const { name: packageName, version } = JSON.parse(readFileSync(join(clientRoot, "package.json"), "utf8"));

let workDir: string;
let projectRoot: string;
let tarballFiles: string[];
let packWarnings: unknown[];

/** The example's wx: the fake one, with what its pages use beyond the SDK. */
function exampleWx(fake: FakeWx, extra: Record<string, unknown> = {}) {
  return {
    ...fake.wx,
    redirectTo: () => {},
    showToast: () => {},
    getAccountInfoSync: () => ({ miniProgram: { appId: "touristappid", envVersion: "release", version: "1.0.0" } }),
    ...extra,
  };
}

beforeAll(async () => {
  await build();
  workDir = mkdtempSync(join(tmpdir(), "bai-sdk-packnpm-"));
  execFileSync(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", workDir], { cwd: clientRoot, stdio: "pipe" });
  const tarball = join(workDir, `${packageName}-${version}.tgz`);
  tarballFiles = execFileSync("tar", ["--list", "--file", tarball], { encoding: "utf8" }).trim().split("\n").sort();

  projectRoot = join(workDir, "project");
  cpSync(exampleRoot, projectRoot, { recursive: true, filter: (source) => !/[/\\](node_modules|miniprogram_npm)$/.test(source) });
  // What a developer does: npm install the SDK (the tarball stands for the registry; it has no dependencies).
  execFileSync(npm, ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", "--silent", tarball], { cwd: projectRoot, stdio: "pipe" });

  // packNpm never uses the upload key, but ci.Project insists on one: a throwaway key stands in.
  const keyPath = join(workDir, "private.key");
  writeFileSync(keyPath, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }));
  const project = new ci.Project({ appid: "touristappid", type: "miniProgram", projectPath: projectRoot, privateKeyPath: keyPath, ignores: ["node_modules/**/*"] });
  packWarnings = await ci.packNpm(project, { reporter: () => {} });
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the npm tarball", () => {
  it("holds the bundle, its types, README and package.json only", () => {
    expect(tarballFiles).toContain("package/dist/index.js");
    expect(tarballFiles).toContain("package/dist/index.d.ts");
    expect(tarballFiles.filter((file) => !file.startsWith("package/dist/"))).toEqual(["package/README.md", "package/package.json"]);
  });

  it("declares no runtime dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(projectRoot, "node_modules", packageName, "package.json"), "utf8"));
    expect(manifest.dependencies).toBeUndefined();
  });

  it("passes npm publish --dry-run, with no network and no npm login", () => {
    // --offline: npm 11 otherwise asks the registry whether the version exists; the registry is an
    // address where nothing listens, so no setting of the machine can make the dry run reach one.
    const run = spawnSync(npm, ["publish", "--dry-run", "--ignore-scripts", "--offline", "--json", "--registry", "http://127.0.0.1:9/"], { cwd: clientRoot, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const warnings = run.stderr.split("\n").filter((line) => /npm warn/i.test(line) && !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
    const report = JSON.parse(run.stdout)[packageName] ?? JSON.parse(run.stdout);
    expect(report).toMatchObject({ name: packageName, version });
    expect(report.files.map((file: { path: string }) => file.path)).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.mjs", "dist/index.d.ts", "README.md", "package.json"]));
  });
});

describe("构建 npm (miniprogram-ci packNpm)", () => {
  it("packs the SDK into miniprogram_npm without a warning", () => {
    expect(packWarnings).toEqual([]);
    expect(existsSync(join(projectRoot, "miniprogram_npm", packageName, "index.js"))).toBe(true);
  });

  it("produces a module that works in a realm with nothing but wx", async () => {
    const packed = readFileSync(join(projectRoot, "miniprogram_npm", packageName, "index.js"), "utf8");
    expect(packed).toContain("//miniprogram-npm-outsideDeps=[]");
    const sdk = loadInBareRealm(packed);
    const { wx, loginCalls } = fakeWx();
    const user = await sdk.createClient({ baseUrl: "https://bai.example/pb", wx }).ensureLogin();
    expect(user.pb_id).toBe("abc123xyz456789");
    expect(loginCalls()).toBe(1);
  });
});

describe("examples/miniprogram", () => {
  const schema = (name: string) => require(`miniprogram-ci/dist/schema/dist/${name}.js`);
  const readJson = (path: string) => JSON.parse(readFileSync(join(exampleRoot, path), "utf8"));
  const appJson = readJson("app.json");

  it.each([
    ["app.json", "app"],
    ["sitemap.json", "sitemap"],
    ["project.config.json", "projectconfig"],
    ...(appJson.pages as string[]).map((page) => [`${page}.json`, "page"]),
  ])("%s is valid against miniprogram-ci's %s schema", (file, schemaName) => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema(schemaName));
    expect(validate(readJson(file)), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(appJson.pages as string[])("%s has its .js, .json, .wxml and .wxss", (page) => {
    for (const extension of ["js", "json", "wxml", "wxss"]) expect(existsSync(join(exampleRoot, `${page}.${extension}`)), `${page}.${extension}`).toBe(true);
  });

  it.each(appJson.pages as string[])("%s.wxml binds only handlers its page defines", (page) => {
    const wxml = readFileSync(join(exampleRoot, `${page}.wxml`), "utf8");
    const handlers = [...wxml.matchAll(/\b(?:bind|catch):?[a-z]+="([^"]+)"/g)].map((match) => match[1]);
    const instance = loadMiniProgram(projectRoot, exampleWx(fakeWx())).openPage(page);
    expect(handlers.length).toBeGreaterThan(0);
    for (const handler of handlers) expect(typeof instance[handler], handler).toBe("function");
  });

  it("the profile page has the getPhoneNumber and chooseAvatar buttons, the nickname input and the privacy popup", () => {
    const wxml = readFileSync(join(exampleRoot, "pages/profile/profile.wxml"), "utf8");
    expect(wxml).toMatch(/<button[^>]*open-type="getPhoneNumber"[^>]*bindgetphonenumber="onGetPhoneNumber"/);
    expect(wxml).toMatch(/<button[^>]*open-type="chooseAvatar"[^>]*bind:chooseavatar="onChooseAvatar"/);
    expect(wxml).toMatch(/<input[^>]*type="nickname"[^>]*bindfocus="onNameFocus"/);
    // WeChat lets the held call go on only if this very button (its id) was tapped.
    expect(wxml).toMatch(/<button id="agree-privacy"[^>]*open-type="agreePrivacyAuthorization"[^>]*bindagreeprivacyauthorization="onAgreePrivacy"/);
  });

  it("runs login → avatar → nickname → phone on the packed SDK against a fake server", async () => {
    const fake = fakeWx();
    const redirects: string[] = [];
    const app = loadMiniProgram(projectRoot, exampleWx(fake, { redirectTo: ({ url }: { url: string }) => redirects.push(url) }));

    const login = app.openPage("pages/login/login");
    login.onLoad();
    expect(redirects).toEqual([]);
    await login.onLogin();
    expect(redirects).toEqual(["/pages/profile/profile"]);

    const profile = app.openPage("pages/profile/profile");
    profile.onLoad();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await profile.onChooseAvatar({ detail: { avatarUrl: "wxfile://tmp/avatar.png" } });
    profile.onNameInput({ detail: { value: "张三" } });
    await profile.onGetPhoneNumber({ detail: { code: "p-13800138000-1", errMsg: "getPhoneNumber:ok" } });

    expect(profile.data.error).toBe("");
    expect(fake.server.requests.map((request) => request.path)).toEqual(["/api/wechat/login", "/api/wechat/avatar", "/api/wechat/profile"]);
    expect(fake.server.requests[2].body).toEqual({ users_name: "张三", users_phone_code: "p-13800138000-1", users_picture: "https://bai.example/pb/api/files/u/a/avatar.png" });
    expect(profile.data.phoneMasked).toBe("138****8000");
    expect(fake.loginCalls()).toBe(1);

    // A declined phone prompt sends nothing; a restart lands on the profile page without a login.
    await profile.onGetPhoneNumber({ detail: { errMsg: "getPhoneNumber:fail user deny" } });
    expect(fake.server.requests).toHaveLength(3);
    const restarted = loadMiniProgram(projectRoot, exampleWx(fake, { redirectTo: ({ url }: { url: string }) => redirects.push(url) }));
    restarted.openPage("pages/login/login").onLoad();
    expect(redirects.at(-1)).toBe("/pages/profile/profile");
    expect(fake.loginCalls()).toBe(1);
  });

  it("saves the nickname and avatar alone through profile/fields, without the phone", async () => {
    const fake = fakeWx();
    const app = loadMiniProgram(projectRoot, exampleWx(fake));
    const profile = app.openPage("pages/profile/profile");
    profile.onLoad();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await profile.onSave();
    expect(profile.data.error).toBe("请填写昵称或选择头像");

    profile.onNameInput({ detail: { value: "张三" } });
    await profile.onSave();
    await profile.onChooseAvatar({ detail: { avatarUrl: "wxfile://tmp/avatar.png" } });
    await profile.onSave();

    expect(profile.data.error).toBe("");
    const saves = fake.server.requests.filter((request) => request.path === "/api/wechat/profile/fields");
    expect(saves.map((request) => request.body)).toEqual([{ users_name: "张三" }, { users_name: "张三", users_picture: "https://bai.example/pb/api/files/u/a/avatar.png" }]);
    expect(fake.server.count("/api/wechat/profile")).toBe(0);
    expect(fake.server.requests[0].url).toMatch(/^https:\/\/bai-api\.blv-oa\.com\/pb\//);
  });

  it("shows its privacy popup when WeChat holds a privacy call, and answers with the user's choice", () => {
    let listener: ((resolve: (answer: unknown) => void, info: { referrer: string }) => void) | undefined;
    const required: unknown[] = [];
    const opened: unknown[] = [];
    const wx = exampleWx(fakeWx(), {
      onNeedPrivacyAuthorization: (registered: typeof listener) => (listener = registered),
      requirePrivacyAuthorize: (options: unknown) => required.push(options),
      openPrivacyContract: (options: unknown) => opened.push(options),
    });
    const profile = loadMiniProgram(projectRoot, wx).openPage("pages/profile/profile");
    profile.onShow();

    const answers: unknown[] = [];
    listener!((answer) => answers.push(answer), { referrer: "button.getPhoneNumber" });
    expect(profile.data.privacyPopup).toBe(true);
    profile.onOpenPrivacyContract();
    profile.onAgreePrivacy();
    expect(profile.data.privacyPopup).toBe(false);
    listener!((answer) => answers.push(answer), { referrer: "button.chooseAvatar" });
    profile.onDisagreePrivacy();
    expect(answers).toEqual([{ event: "exposureAuthorization" }, { event: "agree", buttonId: "agree-privacy" }, { event: "exposureAuthorization" }, { event: "disagree" }]);
    expect(opened).toHaveLength(1);

    profile.onNameFocus(); // an unauthorized nickname input would not ask by itself
    expect(required).toHaveLength(1);
  });

  it("offers the phone button on the login page when the server asks for it, and waits for approval", async () => {
    const fake = fakeWx();
    const redirects: string[] = [];
    const approved = fake.server.routes["/api/wechat/phone-login"];
    fake.server.routes["/api/wechat/login"] = () => failure(403, "请使用手机号快捷登录", {}, "phone_login_required");
    fake.server.routes["/api/wechat/phone-login"] = () => failure(403, "账号待管理员审核,审核通过后即可登录", {}, "account_pending_approval");
    const login = loadMiniProgram(projectRoot, exampleWx(fake, { redirectTo: ({ url }: { url: string }) => redirects.push(url), showToast: () => {} })).openPage("pages/login/login");
    const wxml = readFileSync(join(exampleRoot, "pages/login/login.wxml"), "utf8");
    expect(wxml).toMatch(/<button[^>]*wx:else[^>]*open-type="getPhoneNumber"[^>]*bindgetphonenumber="onGetPhoneNumber"/);

    await login.onLogin();
    expect(login.data).toMatchObject({ needsPhone: true, pendingApproval: false, error: "请使用手机号登录" });
    await login.onGetPhoneNumber({ detail: { errMsg: "getPhoneNumber:fail user deny" } });
    expect(fake.server.count("/api/wechat/phone-login")).toBe(0);
    await login.onGetPhoneNumber({ detail: { code: "p-13800138000-1", errMsg: "getPhoneNumber:ok" } });
    expect(fake.server.requests.at(-1)).toMatchObject({ path: "/api/wechat/phone-login", body: { users_wx_code: "code-2", users_phone_code: "p-13800138000-1" } });
    expect(login.data).toMatchObject({ needsPhone: true, pendingApproval: true });
    expect(redirects).toEqual([]);

    // Once approved the same button signs them in.
    fake.server.routes["/api/wechat/phone-login"] = approved;
    await login.onGetPhoneNumber({ detail: { code: "p-13800138000-2", errMsg: "getPhoneNumber:ok" } });
    expect(redirects).toEqual(["/pages/profile/profile"]);
  });

  it("shows a field error from the server on the profile page", async () => {
    const fake = fakeWx();
    fake.server.routes["/api/wechat/profile"] = () => ({ status: 400, body: { code: 400, msg: "参数错误", data: { users_name: { code: "validation_required", message: "不能为空" } } } });
    const profile = loadMiniProgram(projectRoot, exampleWx(fake)).openPage("pages/profile/profile");
    await profile.onGetPhoneNumber({ detail: { code: "p-1", errMsg: "getPhoneNumber:ok" } });
    expect(profile.data.error).toBe("不能为空");
  });
});
