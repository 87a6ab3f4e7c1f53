// WeChat's access token as real WeChat hands it out, through POST /api/wechat/profile: forced
// refreshes are shared by the whole process, 30 s apart and budgeted; tokens rotate 5 minutes
// early; configuration failures on stable_token name their fix in the log. The forced-refresh
// record and the token live in PocketBase's memory, so each case runs its own PocketBase and
// simulator.
import { describe, expect, it } from "vitest";
import { startWechatSimulator } from "../../sim/wechat-simulator.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { exemptLoopbackFromRateLimits, startPocketBase, type PocketBaseInstance } from "../support/pocketbase";
import { errorBody, failureBody, failures } from "../support/responses";
import { codes, simulator, uniqueName, WECHAT_APP_ID, WECHAT_SECRET, wechatEnv } from "../support/wechat";

const refreshing = failureBody(503, "wechat_access_token_refreshing", "微信接口凭据正在刷新,请稍后重试");
const budgetSpent = failureBody(503, "wechat_access_token_budget_spent", "微信接口凭据今日刷新次数已用尽,请稍后重试");
const misconfigured = failureBody(500, "wechat_misconfigured", "服务端微信配置错误");

interface Setup {
  instance: PocketBaseInstance;
  client: ReturnType<typeof api>;
  wechat: ReturnType<typeof simulator>;
  admin: Awaited<ReturnType<typeof adminClient>>;
  forcedCalls: () => Promise<number>;
}

// A simulator and a PocketBase of the test's own, stopped and removed whatever happens.
async function withOwnInstance(
  { simulatorOptions = {}, env = {} }: { simulatorOptions?: Record<string, unknown>; env?: Record<string, string> },
  use: (setup: Setup) => Promise<void>,
) {
  const sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET, ...simulatorOptions });
  const instance = await startPocketBase({ env: wechatEnv(sim.url, env) });
  try {
    await exemptLoopbackFromRateLimits(instance);
    const wechat = simulator(sim.url);
    const forcedCalls = async () => (await wechat.calls("/cgi-bin/stable_token")).filter((call) => (call.body as { force_refresh?: boolean }).force_refresh === true).length;
    await use({ instance, client: api(instance.url), wechat, admin: await adminClient(instance.url), forcedCalls });
  } finally {
    await instance.stop();
    instance.remove();
    await sim.close();
  }
}

async function logsText(instance: PocketBaseInstance, mustInclude: string): Promise<string> {
  const token = await instance.superuserToken();
  // PocketBase writes logs in batches; wait until the line we care about is in.
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await fetch(`${instance.url}/api/logs?perPage=1000&sort=-created`, { headers: { authorization: token } });
    const text = await response.text();
    if (text.includes(mustInclude)) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the logs never showed ${mustInclude}`);
}

// A signed-in user whose profile was filled once, so the server holds an access token.
async function userWithToken({ client }: Setup) {
  const { token, user } = await client.signIn(uniqueName());
  expect((await client.profile(token, validProfile())).status).toBe(200);
  return { token, userId: user.pb_id as string };
}

describe("WeChat rejecting the access token it still hands out", () => {
  it("a 40001 that WeChat takes back on the retry costs no forced refresh", async () => {
    await withOwnInstance({}, async (setup) => {
      const { token } = await userWithToken(setup);
      await setup.wechat.rejectAccessToken(40001, 1);
      const response = await setup.client.profile(token, validProfile({ users_phone_code: codes.phone("13700137000") }));
      expect(response.status).toBe(200);
      expect(response.body.data.user.users_phone).toBe("13700137000");
      expect(await setup.forcedCalls()).toBe(0);
    });
  });

  it("32 simultaneous updates that all get 40001 force one refresh and all succeed; another 40001 within 30 s answers 503", async () => {
    // WeChat's own latency keeps the 32 in step: they all see the token rejected twice at once.
    await withOwnInstance({ simulatorOptions: { latencyMs: 100 } }, async (setup) => {
      const users = await Promise.all(Array.from({ length: 4 }, () => userWithToken(setup)));
      await setup.wechat.rejectAccessToken(40001);
      const phoneCallsBefore = (await setup.wechat.stats()).getuserphonenumber;

      const responses = await Promise.all(
        Array.from({ length: 32 }, (_, i) => setup.client.profile(users[i % 4].token, validProfile({ users_phone_code: codes.phone(`1390000${String(i).padStart(4, "0")}`) }))),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(32).fill(200));
      expect(await setup.forcedCalls()).toBe(1);
      // Each update: the rejected call, the same-token retry, and the call with the new token.
      expect((await setup.wechat.stats()).getuserphonenumber - phoneCallsBefore).toBeLessThanOrEqual(3 * 32);

      await setup.wechat.rejectAccessToken(40001);
      const before = await setup.admin.users.getOne(users[0].userId);
      const refused = await setup.client.profile(users[0].token, validProfile({ users_name: "改名" }));
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual(refreshing);
      expect(await setup.admin.users.getOne(users[0].userId)).toEqual(before);
      expect(await setup.forcedCalls()).toBe(1);
    });
  });

  it("40014 for the token WeChat hands out answers 502 without forcing a refresh, writing nothing", async () => {
    await withOwnInstance({}, async (setup) => {
      const { token, userId } = await userWithToken(setup);
      await setup.wechat.rejectAccessToken(40014);
      const before = await setup.admin.users.getOne(userId);
      const response = await setup.client.profile(token, validProfile({ users_name: "改名" }));
      expect(response.status).toBe(502);
      expect(response.body).toEqual(failures.wechatUnavailable);
      expect(await setup.admin.users.getOne(userId)).toEqual(before);
      expect(await setup.forcedCalls()).toBe(0);
      expect(await logsText(setup.instance, "errcode 40014")).toContain("not forcing a new one");
    });
  });

  it("WeChat's daily cap (45009) answers 503 'spent', is logged, and stops forced calls for the day", async () => {
    await withOwnInstance({}, async (setup) => {
      const { token, userId } = await userWithToken(setup);
      await setup.wechat.setForcedRefreshesUsedToday(20);
      await setup.wechat.rejectAccessToken(40001);
      const before = await setup.admin.users.getOne(userId);
      for (let i = 0; i < 2; i++) {
        const response = await setup.client.profile(token, validProfile({ users_name: "改名" }));
        expect(response.status).toBe(503);
        expect(response.body).toEqual(budgetSpent);
      }
      expect(await setup.admin.users.getOne(userId)).toEqual(before);
      expect(await setup.forcedCalls()).toBe(1);
      await logsText(setup.instance, "daily cap of forced refreshes is reached (45009)");
    });
  });

  it("our own daily budget (here WECHAT_FORCED_REFRESH_DAILY_BUDGET=1) is spent before WeChat's cap: 503 'spent', said in the log", async () => {
    await withOwnInstance({ env: { WECHAT_FORCED_REFRESH_DAILY_BUDGET: "1" } }, async (setup) => {
      const { token } = await userWithToken(setup);
      await setup.wechat.rejectAccessToken(40001);
      expect((await setup.client.profile(token, validProfile())).status).toBe(200);
      await logsText(setup.instance, "(1 of 1 forced refreshes allowed today, only 0 left");

      await setup.wechat.rejectAccessToken(40001);
      const response = await setup.client.profile(token, validProfile());
      expect(response.status).toBe(503);
      expect(response.body).toEqual(budgetSpent);
      expect(await setup.forcedCalls()).toBe(1);
      await logsText(setup.instance, "today's 1 forced refreshes are spent");
    });
  });
});

describe("token rotation", () => {
  it("fetches one token per rotation when WeChat hands out the next one early", async () => {
    // 8 s tokens, the next one handed out in the last 1/3 s: WeChat's 5 minutes of 2 hours.
    await withOwnInstance({ simulatorOptions: { accessTokenTtlSeconds: 8 } }, async (setup) => {
      const { token } = await setup.client.signIn(uniqueName());
      const statuses: number[] = [];
      const started = Date.now();
      while (Date.now() - started < 17_500) {
        statuses.push((await setup.client.profile(token, validProfile())).status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(statuses.every((status) => status === 200)).toBe(true);
      const phoneCalls = await setup.wechat.calls("/wxa/business/getuserphonenumber");
      expect(phoneCalls).toHaveLength(statuses.length); // no call was ever rejected for its token
      const tokensUsed = new Set(phoneCalls.map((call) => call.query.access_token));
      expect(tokensUsed.size).toBeGreaterThanOrEqual(3);
      expect((await setup.wechat.stats()).stable_token).toBe(tokensUsed.size);
    });
  });
});

describe("configuration failures on stable_token", () => {
  it.each([
    ["ip-not-whitelisted", 40164, "IP is not in the mini-program's IP whitelist"],
    ["ip-needs-confirmation", 89503, "wait for an administrator's confirmation"],
    ["appid-missing", 41002, "no appid: check WECHAT_APPID"],
    ["secret-missing", 41004, "no secret: check WECHAT_SECRET"],
  ])("%s (%i) answers 500, writes nothing, and the log names the fix", async (mode, errcode, cause) => {
    await withOwnInstance({}, async (setup) => {
      const { token, user } = await setup.client.signIn(uniqueName());
      await setup.wechat.setStableTokenMode(mode);
      const before = await setup.admin.users.getOne(user.pb_id);
      const response = await setup.client.profile(token, validProfile());
      expect(response.status).toBe(500);
      expect(response.body).toEqual(misconfigured);
      expect(await setup.admin.users.getOne(user.pb_id)).toEqual(before);
      expect((await setup.wechat.stats()).getuserphonenumber).toBe(0);
      expect(await logsText(setup.instance, `errcode ${errcode} on stable_token`)).toContain(cause);
    });
  });

  it("a wrong secret: stable_token refuses (40125), 500 misconfigured, nothing written, no phone call", async () => {
    const sim = await startWechatSimulator({ appId: WECHAT_APP_ID, secret: WECHAT_SECRET });
    const right = await startPocketBase({ env: wechatEnv(sim.url) });
    let wrong: PocketBaseInstance | undefined;
    try {
      await exemptLoopbackFromRateLimits(right);
      const { token, user } = await api(right.url).signIn(uniqueName());
      await right.stop();
      // The same data, served with a wrong secret: the user's token is still good.
      wrong = await startPocketBase({ dataDir: right.dataDir, env: wechatEnv(sim.url, { WECHAT_SECRET: "not_the_secret" }) });
      const admin = await adminClient(wrong.url);
      const before = await admin.users.getOne(user.pb_id);
      const response = await api(wrong.url).profile(token, validProfile());
      expect(response.status).toBe(500);
      expect(response.body).toEqual(errorBody(500));
      expect(response.body).toEqual(misconfigured);
      expect(await admin.users.getOne(user.pb_id)).toEqual(before);
      expect((await simulator(sim.url).stats()).getuserphonenumber).toBe(0);
      const logs = await logsText(wrong, "errcode 40125 on stable_token");
      expect(logs).toContain("WECHAT_SECRET is wrong");
      expect(logs).not.toContain("not_the_secret");
    } finally {
      await wrong?.stop();
      right.remove();
      await sim.close();
    }
  });
});
