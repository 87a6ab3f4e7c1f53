import { describe, expect, it } from "vitest";
import { readWechatApps } from "./apps";

const env = (values: Record<string, string>) => (name: string) => values[name] ?? "";

describe("readWechatApps", () => {
  it("has the primary mini-program from WECHAT_APPID/WECHAT_SECRET, and the others from WECHAT_APPS", () => {
    const { apps, problems } = readWechatApps(
      env({
        WECHAT_APPID: "wx_main",
        WECHAT_SECRET: "s1",
        WECHAT_APPS: JSON.stringify([
          { appid: "wx_second", secret: "s2", kind: "miniprogram" },
          { appid: "wx_oa", secret: "s3", kind: "official_account" },
          { appid: "wx_web", secret: "s4", kind: "website" },
        ]),
      }),
    );
    expect(problems).toEqual([]);
    expect(apps).toEqual([
      { appId: "wx_main", secret: "s1", kind: "miniprogram", primary: true },
      { appId: "wx_second", secret: "s2", kind: "miniprogram", primary: false },
      { appId: "wx_oa", secret: "s3", kind: "official_account", primary: false },
      { appId: "wx_web", secret: "s4", kind: "website", primary: false },
    ]);
  });

  it("has no apps and no problems when nothing is configured", () => {
    expect(readWechatApps(env({}))).toEqual({ apps: [], problems: [] });
  });

  it.each([
    ["not JSON", "[{", /not JSON/],
    ["not a list", '{"appid":"wx"}', /must be a JSON list/],
    ["an entry that is not an object", "[1]", /\[0\] is not an object/],
    ["a missing appid", '[{"secret":"s","kind":"website"}]', /appid is missing/],
    ["a missing secret", '[{"appid":"wx_x","kind":"website"}]', /\(wx_x\) has no secret/],
    ["an unknown kind", '[{"appid":"wx_x","secret":"s","kind":"game"}]', /kind must be one of/],
    ["the primary appid again", '[{"appid":"wx_main","secret":"other","kind":"miniprogram"}]', /configured twice/],
  ])("skips %s and says so, never with a secret", (_, raw, problem) => {
    const { apps, problems } = readWechatApps(env({ WECHAT_APPID: "wx_main", WECHAT_SECRET: "s1", WECHAT_APPS: raw }));
    expect(apps).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
    expect(problems[0]).not.toContain("other");
  });
});
