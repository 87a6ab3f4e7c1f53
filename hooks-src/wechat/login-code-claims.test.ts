import { describe, expect, it } from "vitest";
import { ApiFailure, failures } from "../errors";
import { asStore, MemoryStore } from "../test-doubles";
import { claimLoginCode, sweepExpiredLoginCodeClaims } from "./login-code-claims";

// What claimLoginCode throws for a code already claimed, or null when it claimed it.
function refusalOf(claim: () => unknown): ApiFailure | null {
  try {
    claim();
    return null;
  } catch (error) {
    if (error instanceof ApiFailure) return error;
    throw error;
  }
}

const answerOf = (failure: ApiFailure | null) => failure && { status: failure.status, msg: failure.msg, data: failure.data };

const codeUsed = failures.wechatCodeRejected("users_wx_code", { code: "wechat_code_used", message: "微信 code 已被使用" });

describe("claimLoginCode", () => {
  it("lets a code through once per 10 s, answering 429 meanwhile", () => {
    const store = asStore(new MemoryStore());
    expect(refusalOf(() => claimLoginCode("c1", store, 0))).toBeNull();
    expect(answerOf(refusalOf(() => claimLoginCode("c1", store, 9_999)))).toEqual(answerOf(failures.duplicateLoginCode()));
    expect(refusalOf(() => claimLoginCode("c2", store, 9_999))).toBeNull();
    expect(refusalOf(() => claimLoginCode("c1", store, 10_000))).toBeNull();
  });

  it("lets a released code through again at once", () => {
    const store = asStore(new MemoryStore());
    claimLoginCode("c1", store, 0).release();
    expect(refusalOf(() => claimLoginCode("c1", store, 1))).toBeNull();
    expect(refusalOf(() => claimLoginCode("c1", store, 2))).not.toBeNull();
  });

  it("releases only its own claim, not a later claim of the same code", () => {
    const store = asStore(new MemoryStore());
    const expired = claimLoginCode("c1", store, 0);
    expect(refusalOf(() => claimLoginCode("c1", store, 10_000))).toBeNull();
    expired.release();
    expect(refusalOf(() => claimLoginCode("c1", store, 10_001))).not.toBeNull();
  });

  it("answers a replay with the answer WeChat's verdict got, for the rest of the claim's 10 s", () => {
    const store = asStore(new MemoryStore());
    claimLoginCode("c1", store, 0).remember(codeUsed);
    for (const at of [1, 5_000, 9_999]) expect(answerOf(refusalOf(() => claimLoginCode("c1", store, at)))).toEqual(answerOf(codeUsed));
    expect(refusalOf(() => claimLoginCode("c1", store, 10_000))).toBeNull();
  });

  it.each([
    ["an invalid code (40029)", failures.wechatCodeRejected("users_wx_code", { code: "wechat_code_invalid", message: "微信 code 无效或已过期" })],
    ["WeChat's rate limit (45011)", failures.wechatRateLimited()],
    ["WeChat's system error (-1)", failures.wechatUnavailable()],
    ["our misconfiguration", failures.wechatMisconfigured()],
  ])("remembers %s as answered", (_, answer) => {
    const store = asStore(new MemoryStore());
    claimLoginCode("c1", store, 0).remember(answer);
    expect(answerOf(refusalOf(() => claimLoginCode("c1", store, 1)))).toEqual(answerOf(answer));
  });

  it("remembers only for its own claim, not for a later claim of the same code", () => {
    const store = asStore(new MemoryStore());
    const expired = claimLoginCode("c1", store, 0);
    claimLoginCode("c1", store, 10_000);
    expired.remember(codeUsed);
    expect(answerOf(refusalOf(() => claimLoginCode("c1", store, 10_001)))).toEqual(answerOf(failures.duplicateLoginCode()));
  });

  it("sweeps only expired claims, remembered answers included", () => {
    const memory = new MemoryStore();
    memory.set("unrelated", 1);
    claimLoginCode("old", asStore(memory), 0);
    claimLoginCode("oldAnswered", asStore(memory), 0).remember(codeUsed);
    claimLoginCode("new", asStore(memory), 5_000);
    claimLoginCode("newAnswered", asStore(memory), 5_000).remember(codeUsed);
    claimLoginCode("released", asStore(memory), 5_000).release();
    sweepExpiredLoginCodeClaims(asStore(memory), 12_000);
    expect(memory.keys()).toEqual(["unrelated", "bai.loginCode.new", "bai.loginCode.newAnswered"]);
  });
});
