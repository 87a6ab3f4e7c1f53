import { describe, expect, it } from "vitest";
import { readContentSecurityConfig } from "./config";

const environment = (values: Record<string, string>) => (name: string) => values[name] ?? "";
const KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

describe("readContentSecurityConfig", () => {
  it("defaults to both checks on, fail-open, and no push endpoint", () => {
    expect(readContentSecurityConfig(environment({}))).toEqual({ push: null, nicknameCheck: true, avatarCheck: true, failClosed: false, problems: [] });
  });

  it("reads the push token and key, switches and failure mode", () => {
    const config = readContentSecurityConfig(
      environment({ WECHAT_PUSH_TOKEN: "tok123", WECHAT_PUSH_AES_KEY: KEY, WECHAT_NICKNAME_CHECK: "OFF", WECHAT_AVATAR_CHECK: "off", WECHAT_CONTENT_CHECK_FAILURE: "closed" }),
    );
    expect(config).toEqual({ push: { token: "tok123", encodingAesKey: KEY }, nicknameCheck: false, avatarCheck: false, failClosed: true, problems: [] });
  });

  it("is in plaintext mode without a key", () => {
    expect(readContentSecurityConfig(environment({ WECHAT_PUSH_TOKEN: "tok123" })).push).toEqual({ token: "tok123", encodingAesKey: "" });
  });

  it("turns the push endpoint off for a malformed key, and says why", () => {
    const config = readContentSecurityConfig(environment({ WECHAT_PUSH_TOKEN: "tok123", WECHAT_PUSH_AES_KEY: "short" }));
    expect(config.push).toBeNull();
    expect(config.problems).toEqual([expect.stringContaining("WECHAT_PUSH_AES_KEY")]);
  });

  it("keeps the default for a value it does not understand, and says so", () => {
    const config = readContentSecurityConfig(environment({ WECHAT_NICKNAME_CHECK: "maybe", WECHAT_CONTENT_CHECK_FAILURE: "shut" }));
    expect(config).toMatchObject({ nicknameCheck: true, failClosed: false });
    expect(config.problems).toHaveLength(2);
  });
});
