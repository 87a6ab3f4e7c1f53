// The consent ledger: the documents of CONSENT_DOCUMENTS, consent given at login (in the account's
// own transaction) or through /api/wechat/consents, a new version showing up as required, a stale
// one refused with the current one, withdrawal, enforcement (428 on profile and avatar only), the
// append-only collection bai_consents, and the erasure of an account keeping anonymous rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, expectContract, validProfile } from "../support/api";
import { auditTrail } from "../support/audit-trail";
import { uniquePhone } from "../support/registration";
import { filePart, uploadAvatar, images } from "../support/avatars";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { errorBody, fieldProblem } from "../support/responses";
import { codes, OFFICIAL_ACCOUNT, openidIn, OTHER_APPS, simulator, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const AGREEMENT_V1 = { document: "user_agreement", title: "用户协议", version: "2026-11-01", url: "https://bai.example.com/agreement-2026-11-01.html" };
const PRIVACY_V1 = { document: "privacy_policy", title: "隐私政策", version: "2026-11-01", url: "https://bai.example.com/privacy-2026-11-01.html" };
const PRIVACY_V2 = { ...PRIVACY_V1, version: "2026-12-01", url: "https://bai.example.com/privacy-2026-12-01.html" };
const documentsEnv = (...documents: object[]) => JSON.stringify(documents.map(({ document, version, url }: any) => ({ document, version, url })));
const agreeTo = (...documents: Array<{ document: string; version: string }>) => documents.map(({ document, version }) => ({ document, version }));

const CLIENT_IP = "203.0.113.60";
// A consent row from this address fails to save (a hook only this file's instance has), to show that
// a first login's consents and its account are one transaction.
const FAILING_IP = "198.51.100.66";
const FAILING_CONSENT_WRITE = `onRecordCreate((e) => {
  if (e.record.getString("ip") === "${FAILING_IP}") throw new Error("consent write failed on purpose");
  e.next();
}, "bai_consents");
`;
const CONSENTS = "bai_consents";

let sim: Awaited<ReturnType<typeof startWechatSimulator>>;
let instance: PocketBaseInstance;

async function start(env: Record<string, string>, dataDir?: string) {
  const started = await startPocketBase({ dataDir, env: wechatEnv(sim.url, env), extraHooks: { "zz_test_failing_consent.pb.js": FAILING_CONSENT_WRITE } });
  await exemptLoopbackFromRateLimits(started);
  await (await adminClient(started.url)).pb.settings.update({ trustedProxy: { headers: ["X-Real-IP"], useLeftmostIP: false } });
  return started;
}

beforeAll(async () => {
  sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET, apps: OTHER_APPS });
  instance = await start({ CONSENT_DOCUMENTS: documentsEnv(AGREEMENT_V1, PRIVACY_V1) });
});

afterAll(async () => {
  await instance.stop();
  instance.remove();
  await sim.close();
});

const fromClient = (ip = CLIENT_IP) => ({ headers: { "x-real-ip": ip } });

// Oldest first; the rows of one request share their millisecond, so they come in document order then.
async function consentRows(url: string, filter: string) {
  const admin = await adminClient(url);
  const rows = await admin.pb.collection(CONSENTS).getFullList({ filter, sort: "created" });
  return rows.sort((a, b) => (a.created === b.created ? DOCUMENT_ORDER.indexOf(a.document) - DOCUMENT_ORDER.indexOf(b.document) : 0));
}
const DOCUMENT_ORDER = ["user_agreement", "privacy_policy"];

async function login(url: string, name: string, body: Record<string, unknown> = {}, ip = CLIENT_IP) {
  return api(url).post("/api/wechat/login", { users_wx_code: codes.loginAs(name), ...body }, fromClient(ip));
}

async function userByOpenid(url: string, name: string) {
  return (await adminClient(url)).usersByOpenid(`osim_${name}`);
}

describe("consent at login", () => {
  it("records a first login's consents with the new account, and the answer lists nothing left to agree to", async () => {
    const name = uniqueName("consent");
    const response = await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) });
    expect(response.status).toBe(200);
    expect(response.body.meta.data).toMatchObject({ status: "register_success", consents_required: [] });
    const id = response.body.meta.data.user.pb_id;
    const rows = await consentRows(instance.url, `user = "${id}"`);
    expect(rows.map(({ document, version, action, source, appid, ip }) => ({ document, version, action, source, appid, ip }))).toEqual(
      [AGREEMENT_V1, PRIVACY_V1].map(({ document, version }) => ({ document, version, action: "agree", source: "login", appid: WECHAT_APP_ID, ip: CLIENT_IP })),
    );
    const events = await auditTrail(instance.url).find(`pb_id = "${id}"`);
    expect(events.map((event) => event.event).sort()).toEqual(["consent_given", "consent_given", "registration"]);
    expect(events.find((event) => event.event === "consent_given")!.details).toMatchObject({ source: "login", version: "2026-11-01" });
  });

  it("writes a first login's consents in the account's own transaction: when they fail, there is no account either", async () => {
    const name = uniqueName("atomic");
    const response = await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1) }, FAILING_IP);
    expect(response.status).toBe(500);
    expect(await userByOpenid(instance.url, name)).toEqual([]);
    expect(await consentRows(instance.url, `ip = "${FAILING_IP}"`)).toEqual([]);
    expect(await auditTrail(instance.url).find(`event = "registration" && ip = "${FAILING_IP}"`)).toEqual([]);
    // The same login without consents registers: nothing of the failed one was left behind.
    expect((await login(instance.url, name, {}, FAILING_IP)).body.meta.data.status).toBe("register_success");
  });

  it("takes consents at the 公众号/website login too: with the new account, in its transaction, under that app's appid", async () => {
    const oaLogin = (name: string, body: Record<string, unknown>, ip = CLIENT_IP) =>
      api(instance.url).post("/api/wechat/oa/login", { code: codes.oaUserInfo(name), appid: OFFICIAL_ACCOUNT.appId, ...body }, fromClient(ip));
    const failing = uniqueName("oaatomic");
    expect((await oaLogin(failing, { consents: agreeTo(AGREEMENT_V1) }, FAILING_IP)).status).toBe(500);
    expect(await consentRows(instance.url, `ip = "${FAILING_IP}" && appid = "${OFFICIAL_ACCOUNT.appId}"`)).toEqual([]);
    const admin = await adminClient(instance.url);
    expect(await admin.pb.collection("tbl_user_identities").getFullList({ filter: admin.pb.filter("openid = {:openid}", { openid: openidIn(OFFICIAL_ACCOUNT.appId, failing) }) })).toEqual([]);

    const response = await oaLogin(uniqueName("oaconsent"), { consents: agreeTo(AGREEMENT_V1) });
    expect(response.body.meta.data).toMatchObject({ status: "register_success", consents_required: [PRIVACY_V1] });
    const rows = await consentRows(instance.url, `user = "${response.body.record.id}"`);
    expect(rows.map(({ document, source, appid, ip }) => ({ document, source, appid, ip }))).toEqual([
      { document: "user_agreement", source: "login", appid: OFFICIAL_ACCOUNT.appId, ip: CLIENT_IP },
    ]);
    const stale = await oaLogin(uniqueName("oastale"), { consents: [{ document: "privacy_policy", version: "2026-01-01" }] });
    expect(stale.body).toEqual({ code: 409, error: "consent_version_stale", msg: "协议已更新,请阅读最新版本后再同意", message: "协议已更新,请阅读最新版本后再同意", data: { documents: [PRIVACY_V1] } });
  });

  it("takes consents at the phone login too, and answers what is left to agree to", async () => {
    const name = uniqueName("phoneconsent");
    const response = await api(instance.url).post(
      "/api/wechat/phone-login",
      { users_wx_code: codes.loginAs(name), users_phone_code: codes.phone(uniquePhone()), consents: agreeTo(PRIVACY_V1) },
      fromClient(),
    );
    expect(response.body.meta.data).toMatchObject({ status: "register_success", consents_required: [AGREEMENT_V1] });
    const rows = await consentRows(instance.url, `user = "${response.body.record.id}"`);
    expect(rows.map(({ document, source, appid }) => ({ document, source, appid }))).toEqual([{ document: "privacy_policy", source: "login", appid: WECHAT_APP_ID }]);
  });

  it("lists every document needing consent in every login answer, until the user agrees", async () => {
    const name = uniqueName("consent");
    const first = await login(instance.url, name);
    expect(first.body.meta.data.consents_required).toEqual([AGREEMENT_V1, PRIVACY_V1]);
    const partly = await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1) });
    expect(partly.body.meta.data).toMatchObject({ status: "login_success", consents_required: [PRIVACY_V1] });
    // Agreeing again at a later login writes nothing new.
    const again = await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) });
    expect(again.body.meta.data.consents_required).toEqual([]);
    await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) });
    const rows = await consentRows(instance.url, `user = "${first.body.meta.data.user.pb_id}"`);
    expect(rows.map((row) => row.document)).toEqual(["user_agreement", "privacy_policy"]);
  });

  it("refuses a stale version (409, with the current one) or an unknown document (400) before calling WeChat", async () => {
    const before = (await simulator(sim.url).stats()).jscode2session;
    const name = uniqueName("stale");
    const stale = await login(instance.url, name, { consents: [{ document: "privacy_policy", version: "2026-01-01" }] });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ code: 409, error: "consent_version_stale", msg: "协议已更新,请阅读最新版本后再同意", message: "协议已更新,请阅读最新版本后再同意", data: { documents: [PRIVACY_V1] } });
    const unknown = await login(instance.url, name, { consents: [{ document: "cookie_policy", version: "1" }] });
    expect(unknown.body).toEqual(fieldProblem("consents", "consent_document_unknown"));
    expect((await simulator(sim.url).stats()).jscode2session).toBe(before);
    expect(await userByOpenid(instance.url, name)).toEqual([]);
  });
});

describe("GET and POST /api/wechat/consents", () => {
  const client = () => api(instance.url);
  const status = async (token: string) => {
    const response = await fetch(`${instance.url}/api/wechat/consents`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    const { status, body } = expectContract("/api/wechat/consents", "GET", { status: response.status, headers: response.headers, body: JSON.parse(text), text });
    return { status, body };
  };
  const give = (token: string, body: unknown, ip = CLIENT_IP) => client().post("/api/wechat/consents", body, { ...fromClient(ip), token });

  it("says, per document, the current version and URL, what the user agreed to and when, and whether consent is needed", async () => {
    const { token, user } = await client().signIn(uniqueName("status"));
    expect(await status(token)).toEqual({
      status: 200,
      body: { code: 200, msg: "请求成功", data: { enforced: false, documents: [AGREEMENT_V1, PRIVACY_V1].map((document) => ({ ...document, accepted_version: null, accepted_at: null, consent_required: true })) } },
    });
    const agreed = await give(token, { consents: agreeTo(AGREEMENT_V1) });
    expect(agreed.status).toBe(200);
    expect(agreed.body.data.documents[0]).toEqual({ ...AGREEMENT_V1, accepted_version: "2026-11-01", accepted_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/), consent_required: false });
    expect(agreed.body.data.documents[1].consent_required).toBe(true);
    expect((await status(token)).body.data).toEqual(agreed.body.data);
    const [row] = await consentRows(instance.url, `user = "${user.pb_id}"`);
    expect(row).toMatchObject({ document: "user_agreement", version: "2026-11-01", action: "agree", source: "settings", appid: WECHAT_APP_ID, ip: CLIENT_IP });
  });

  it("writes nothing for a second agreement to the same version", async () => {
    const { token, user } = await client().signIn(uniqueName("twice"));
    expect((await give(token, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1), source: "prompt" })).status).toBe(200);
    expect((await give(token, { consents: agreeTo(PRIVACY_V1) })).status).toBe(200);
    expect((await give(token, { action: "agree", consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) })).status).toBe(200);
    const rows = await consentRows(instance.url, `user = "${user.pb_id}"`);
    expect(rows.map((row) => [row.document, row.source])).toEqual([["user_agreement", "prompt"], ["privacy_policy", "prompt"]]);
  });

  it("refuses a stale version with the current one (409), writing nothing", async () => {
    const { token, user } = await client().signIn(uniqueName("stale"));
    const stale = await give(token, { consents: [{ document: "user_agreement", version: "2026-11-01" }, { document: "privacy_policy", version: "2025-01-01" }] });
    expect(stale.status).toBe(409);
    expect(stale.body.data).toEqual({ documents: [PRIVACY_V1] });
    expect(await consentRows(instance.url, `user = "${user.pb_id}"`)).toEqual([]);
  });

  it.each([
    ["no list", { consents: "user_agreement" }, "consents", "validation_invalid_type"],
    ["no consents at all", {}, "consents", "validation_invalid_type"],
    ["an item that is no object", { consents: ["user_agreement"] }, "consents", "validation_invalid_type"],
    ["an agreement without a version", { consents: [{ document: "user_agreement" }] }, "consents", "validation_invalid_type"],
    ["an unknown document", { consents: [{ document: "cookie_policy", version: "1" }] }, "consents", "consent_document_unknown"],
    ["a document twice", { consents: [AGREEMENT_V1, AGREEMENT_V1].map(({ document, version }) => ({ document, version })) }, "consents", "validation_invalid_value"],
    ["more items than documents", { consents: [1, 2, 3] }, "consents", "validation_too_long"],
    ["an unknown action", { action: "maybe", consents: agreeTo(AGREEMENT_V1) }, "action", "validation_invalid_value"],
    ["an unknown source", { source: "login", consents: agreeTo(AGREEMENT_V1) }, "source", "validation_invalid_value"],
  ])("refuses %s (400), writing nothing", async (_case, body, field, code) => {
    const { token, user } = await client().signIn(uniqueName("bad"));
    expect((await give(token, body)).body).toEqual(fieldProblem(field, code));
    expect(await consentRows(instance.url, `user = "${user.pb_id}"`)).toEqual([]);
  });

  it("records a withdrawal with the version withdrawn; consent is then required again", async () => {
    const { token, user } = await client().signIn(uniqueName("withdraw"));
    await give(token, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) });
    const withdrawn = await give(token, { action: "withdraw", consents: [{ document: "privacy_policy" }] });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.data.documents[1]).toEqual({ ...PRIVACY_V1, accepted_version: null, accepted_at: null, consent_required: true });
    expect((await give(token, { action: "withdraw", consents: [{ document: "privacy_policy" }] })).status).toBe(200); // nothing stands: nothing written
    const rows = await consentRows(instance.url, `user = "${user.pb_id}"`);
    expect(rows.map((row) => [row.document, row.version, row.action])).toEqual([
      ["user_agreement", "2026-11-01", "agree"],
      ["privacy_policy", "2026-11-01", "agree"],
      ["privacy_policy", "2026-11-01", "withdraw"],
    ]);
    const events = await auditTrail(instance.url).find(`pb_id = "${user.pb_id}" && event = "consent_withdrawn"`);
    expect(events.map((event) => event.details)).toEqual([{ document: "privacy_policy", version: "2026-11-01", source: "settings" }]);
    expect((await login(instance.url, user.openid.slice("osim_".length))).body.meta.data.consents_required).toEqual([PRIVACY_V1]);
  });

  it("needs the user's token", async () => {
    expect((await client().post("/api/wechat/consents", { consents: [] })).status).toBe(401);
    expect((await fetch(`${instance.url}/api/wechat/consents`)).status).toBe(401);
  });

  it("keeps bai_consents append-only: superusers can't create, change or delete a row, and users can't read it", async () => {
    const { token, user } = await client().signIn(uniqueName("ledger"));
    await give(token, { consents: agreeTo(AGREEMENT_V1) });
    const [row] = await consentRows(instance.url, `user = "${user.pb_id}"`);
    const staff = async (method: string, path: string, body?: unknown) =>
      (await fetch(`${instance.url}${path}`, { method, headers: { authorization: await instance.superuserToken(), "content-type": "application/json" }, body: body && JSON.stringify(body) })).status;
    const records = `/api/collections/${CONSENTS}/records`;
    expect(await staff("POST", records, { user: user.pb_id, document: "privacy_policy", version: "2026-11-01", action: "agree", source: "settings" })).toBe(403);
    expect(await staff("PATCH", `${records}/${row.id}`, { version: "2020-01-01" })).toBe(403);
    expect(await staff("DELETE", `${records}/${row.id}`)).toBe(403);
    expect(await staff("DELETE", `/api/collections/${CONSENTS}/truncate`)).toBe(400);
    expect(await consentRows(instance.url, `user = "${user.pb_id}"`)).toEqual([row]);
    expect((await fetch(`${instance.url}${records}`, { headers: { authorization: token } })).status).toBe(403);
  });
});

describe("a new version of a document", () => {
  it("shows up as required at the next login and in GET, and the old version is refused with the new one", { timeout: 60_000 }, async () => {
    const name = uniqueName("bump");
    const first = await login(instance.url, name, { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) });
    expect(first.body.meta.data.consents_required).toEqual([]);

    await instance.stop();
    const bumped = await start({ CONSENT_DOCUMENTS: documentsEnv(AGREEMENT_V1, PRIVACY_V2) }, instance.dataDir);
    try {
      const next = await login(bumped.url, name);
      expect(next.body.meta.data.consents_required).toEqual([PRIVACY_V2]);
      const token = next.body.token;
      const answer = await (await fetch(`${bumped.url}/api/wechat/consents`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(answer.data.documents[1]).toMatchObject({ version: "2026-12-01", accepted_version: "2026-11-01", consent_required: true });
      const stale = await api(bumped.url).post("/api/wechat/consents", { consents: agreeTo(PRIVACY_V1) }, { token });
      expect(stale.body).toEqual({ code: 409, error: "consent_version_stale", msg: expect.any(String), message: expect.any(String), data: { documents: [PRIVACY_V2] } });
      expect((await api(bumped.url).post("/api/wechat/consents", { consents: agreeTo(PRIVACY_V2) }, { token })).body.data.documents[1].consent_required).toBe(false);
    } finally {
      await bumped.stop();
      await instance.restart();
    }
  });
});

describe("CONSENT_ENFORCEMENT=on", () => {
  let enforced: PocketBaseInstance;
  beforeAll(async () => {
    enforced = await start({ CONSENT_DOCUMENTS: documentsEnv(AGREEMENT_V1, PRIVACY_V1), CONSENT_ENFORCEMENT: "on", ACCOUNT_DELETION_COOLOFF_DAYS: "0" });
  });
  afterAll(async () => {
    await enforced.stop();
    enforced.remove();
  });

  it("answers 428 on profile and avatar until the user agrees, and again after a withdrawal", async () => {
    const client = api(enforced.url);
    const { token } = await client.signIn(uniqueName("enforced"));
    const required = { ...errorBody(428, { documents: [AGREEMENT_V1, PRIVACY_V1] }), error: "consent_required" };
    expect((await client.profile(token, validProfile())).body).toEqual(required);
    expect((await uploadAvatar(token, [filePart(images.png, "a.png", "image/png")], enforced.url)).body).toEqual(required);

    expect((await client.post("/api/wechat/consents", { consents: agreeTo(AGREEMENT_V1) }, { token })).status).toBe(200);
    expect((await client.profile(token, validProfile())).body).toEqual({ ...errorBody(428, { documents: [PRIVACY_V1] }), error: "consent_required" });
    expect((await client.post("/api/wechat/consents", { consents: agreeTo(PRIVACY_V1) }, { token })).status).toBe(200);
    expect((await client.profile(token, validProfile())).status).toBe(200);
    expect((await uploadAvatar(token, [filePart(images.png, "a.png", "image/png")], enforced.url)).status).toBe(200);

    expect((await client.post("/api/wechat/consents", { action: "withdraw", consents: [{ document: "user_agreement" }] }, { token })).status).toBe(200);
    expect((await client.profile(token, validProfile())).status).toBe(428);
  });

  it("never stands in the way of login, refresh, logout, the consent routes or deleting the account", async () => {
    const client = api(enforced.url);
    const name = uniqueName("free");
    const { token } = await client.signIn(name);
    const refreshed = await client.refreshToken(token);
    expect(refreshed.status).toBe(200);
    expect((await fetch(`${enforced.url}/api/wechat/consents`, { headers: { authorization: `Bearer ${refreshed.body.token}` } })).status).toBe(200);
    expect((await client.post("/api/wechat/logout", undefined, { token: refreshed.body.token })).status).toBe(200);
    const other = await client.signIn(uniqueName("free")); // a login in the same second would get the logged-out token again
    const deleted = await client.post("/api/wechat/delete-account", undefined, { token: other.token });
    expect(deleted.body, deleted.text).toMatchObject({ code: 200, data: { status: "account_deleted" } });
  });

  it("keeps a deleted user's consent rows too, the same way", async () => {
    const client = api(enforced.url);
    const { token, user } = await client.signIn(uniqueName("deleted"));
    await client.post("/api/wechat/consents", { consents: agreeTo(AGREEMENT_V1) }, { ...fromClient(), token });
    const [row] = await consentRows(enforced.url, `user = "${user.pb_id}"`);
    await (await adminClient(enforced.url)).users.delete(user.pb_id);
    const [after] = await consentRows(enforced.url, `id = "${row.id}"`);
    expect(after).toMatchObject({ user: "", ip: "", document: "user_agreement", version: "2026-11-01", action: "agree", created: row.created });
  });

  it("keeps an erased user's consent rows as evidence, without the link to the person or their IP", async () => {
    const client = api(enforced.url);
    const { token, user } = await client.signIn(uniqueName("erased"));
    await client.post("/api/wechat/consents", { consents: agreeTo(AGREEMENT_V1, PRIVACY_V1) }, { ...fromClient(), token });
    await client.post("/api/wechat/consents", { action: "withdraw", consents: [{ document: "privacy_policy" }] }, { ...fromClient(), token });
    const before = await consentRows(enforced.url, `user = "${user.pb_id}"`);
    expect(before).toHaveLength(3);

    expect((await client.post("/api/wechat/delete-account", undefined, { token })).body.data.status).toBe("account_deleted");
    expect(await consentRows(enforced.url, `user = "${user.pb_id}"`)).toEqual([]);
    const after = await consentRows(enforced.url, before.map((row) => `id = "${row.id}"`).join(" || "));
    expect(after.map(({ user, ip, document, version, action, source, appid, created }) => ({ user, ip, document, version, action, source, appid, created }))).toEqual(
      before.map(({ document, version, action, source, appid, created }) => ({ user: "", ip: "", document, version, action, source, appid, created })),
    );
  });
});
