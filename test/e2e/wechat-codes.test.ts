// Codes WeChat judged: a code used up by a call whose answer was lost must come back as a clear
// "get a new code" (400 on the code's field), never a 500 or another 502; a phone code issued to
// another appid is the user's input, not our configuration; countryCode comes as "86" or 86.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, validProfile, type ApiResponse } from "../support/api";
import { failures, fieldProblem } from "../support/responses";
import { codes, simulator, uniqueName } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;

beforeAll(async () => {
  admin = await adminClient();
});

// The mini-program's retry of the same code. Until the duplicate-code window lets it through
// (released at once after a transport failure, else after 10 s) it answers 429.
async function retryUntilPastDuplicateWindow(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const deadline = Date.now() + 11_000;
  for (;;) {
    const response = await send();
    if (response.status !== 429 || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const lostAnswers = [
  ["reset after WeChat used the code", "consumed_reset", 502, failures.wechatUnavailable],
  ["cut off after WeChat used the code", "consumed_truncated", 502, failures.wechatUnavailable],
  ["never sent after WeChat used the code", "consumed_hang", 504, failures.wechatTimeout],
] as const;

describe("POST /api/wechat/login", () => {
  it.each(lostAnswers)("an answer %s: the retry with the same code answers 400 wechat_code_used", async (_, scenario, status, body) => {
    const code = codes.scenario(scenario);
    const usersBefore = await admin.countUsers();
    const first = await client.login(code);
    const codeUsed = fieldProblem("users_wx_code", "wechat_code_used");
    // Go's HTTP client resends a GET itself when a reused keep-alive connection is reset before
    // the answer (net/http's shouldRetryRequest): jscode2session then says 40163 at once.
    let verdict = first;
    if (scenario === "consumed_reset" && first.status === 400) {
      expect(first.body).toEqual(codeUsed);
    } else {
      expect(first.status).toBe(status);
      expect(first.body).toEqual(body);
      verdict = await retryUntilPastDuplicateWindow(() => client.login(code));
      expect(verdict.status).toBe(400);
      expect(verdict.body).toEqual(codeUsed);
    }
    // WeChat's verdict stands: a replay gets it again, not a 429.
    const replay = await client.login(code);
    expect([replay.status, replay.body]).toEqual([400, verdict.body]);
    expect(await admin.countUsers()).toBe(usersBefore);
  });

  // What WeChat answered about a code is the answer to every replay of it while the code is
  // claimed (10 s), without asking WeChat again; then WeChat is asked again.
  it.each([
    ["an invalid code (40029)", "invalid", 400, fieldProblem("users_wx_code", "wechat_code_invalid")],
    ["a user WeChat blocks (40226)", "blocked", 400, fieldProblem("users_wx_code", "wechat_code_blocked")],
    ["its rate limit (45011)", "ratelimit", 429, failures.wechatRateLimited],
    ["its system error (-1)", "busy", 502, failures.wechatUnavailable],
  ] as const)("WeChat's answer about %s is the answer to every replay of the code", async (_, scenario, status, body) => {
    const code = codes.scenario(scenario);
    const first = await client.login(code);
    expect([first.status, first.body]).toEqual([status, body]);
    const callsBefore = (await wechat.stats()).jscode2session;
    for (const replay of [await client.login(code), await client.login(code)]) expect([replay.status, replay.body]).toEqual([first.status, first.body]);
    expect((await wechat.stats()).jscode2session).toBe(callsBefore);
  });
});

describe("POST /api/wechat/profile", () => {
  it.each(lostAnswers)("an answer %s: the retry with the same code answers 400 wechat_code_invalid", async (_, scenario, status, body) => {
    const { token, user } = await client.signIn(uniqueName());
    const before = await admin.users.getOne(user.pb_id);
    const phoneCode = codes.scenario(scenario);
    const first = await client.profile(token, validProfile({ users_phone_code: phoneCode }));
    expect(first.status).toBe(status);
    expect(first.body).toEqual(body);

    const retry = await client.profile(token, validProfile({ users_phone_code: phoneCode }));
    expect(retry.status).toBe(400);
    expect(retry.body).toEqual(fieldProblem("users_phone_code", "wechat_code_invalid"));
    expect(await admin.users.getOne(user.pb_id)).toEqual(before);
  });

  it("a phone code issued to another appid (40013) answers 400 wechat_code_wrong_app, writing nothing", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const before = await admin.users.getOne(user.pb_id);
    const phoneCallsBefore = (await wechat.stats()).getuserphonenumber;
    const response = await client.profile(token, validProfile({ users_phone_code: codes.scenario("wrongapp") }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual(fieldProblem("users_phone_code", "wechat_code_wrong_app"));
    expect(await admin.users.getOne(user.pb_id)).toEqual(before);
    expect((await wechat.stats()).getuserphonenumber - phoneCallsBefore).toBe(1);
  });

  it("takes countryCode 86 given as a number as mainland China", async () => {
    const { token, user } = await client.signIn(uniqueName());
    const response = await client.profile(token, validProfile({ users_phone_code: codes.phoneWithNumericCountryCode("13600136000") }));
    expect(response.status).toBe(200);
    expect(response.body.data.user.users_phone).toBe("13600136000");
    expect((await admin.users.getOne(user.pb_id)).users_phone).toBe("13600136000");
  });
});
