import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { judgePocketBaseVersion } from "./startup-checks";

describe("judgePocketBaseVersion", () => {
  it.each([
    ["pocketbase version 0.40.4", "supported"],
    ["pocketbase version 0.40.5\n", "supported"],
    ["pocketbase version 0.40.12", "supported"],
    ["pocketbase version 0.40.3", "unsupported"],
    ["pocketbase version 0.36.8", "unsupported"],
    ["pocketbase version 0.41.0", "unsupported"],
    ["pocketbase version 1.40.4", "unsupported"],
    ["pocketbase version (untracked)", "unknown"],
    ["", "unknown"],
  ])("%j is %s", (printed, verdict) => {
    expect(judgePocketBaseVersion(printed).verdict).toBe(verdict);
  });

  it("accepts the version the project pins and tests", () => {
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).config.pocketbaseVersion;
    expect(judgePocketBaseVersion(`pocketbase version ${pinned}`).verdict).toBe("supported");
  });

  it("names the version found and the versions needed", () => {
    expect(judgePocketBaseVersion("pocketbase version 0.36.8")).toEqual({
      verdict: "unsupported",
      message: "PocketBase 0.36.8 is not supported: these hooks need PocketBase 0.40.4 or a later 0.40.x (see DEPLOY.md).",
    });
  });
});
