// What the hooks say at start-up about how PocketBase runs: dev mode (SQL with its data on
// the console) and a PocketBase version they were not tested on. Each case runs its own.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { allLogs } from "../support/logs";
import { startPocketBase } from "../support/pocketbase";

const DEV_MODE_WARNING = "[bai] WARNING DEV MODE IS ON";

describe("dev mode", () => {
  it("is off in every PocketBase command the docs and deploy/ give", () => {
    const commands = ["README.md", "DEPLOY.md", "deploy/pocketbase.service"].flatMap((file) =>
      [...readFileSync(join(projectRoot, file), "utf8").matchAll(/pocketbase (serve|migrate|superuser)\b[^`\n]*/g)].map(([command]) => `${file}: ${command}`),
    );
    expect(commands.length).toBeGreaterThan(3);
    for (const command of commands) expect(command).toContain("--dev=false");
  });

  it("makes the hooks warn at start-up", async () => {
    const instance = await startPocketBase({ env: {}, extraArgs: ["--dev=true"] });
    try {
      expect(instance.output()).toContain(DEV_MODE_WARNING);
    } finally {
      await instance.stop();
      instance.remove();
    }
  });

  it("off, as every command we ship runs it, starts without the warning", async () => {
    const instance = await startPocketBase({ env: {} });
    try {
      expect(instance.output()).not.toContain(DEV_MODE_WARNING);
      expect(instance.output()).not.toContain("SELECT");
    } finally {
      await instance.stop();
      instance.remove();
    }
  });
});

describe("a PocketBase version the hooks were not tested on", () => {
  it("stops PocketBase before it serves, with one line naming both versions", async () => {
    // `serve` asks its own path (os.Args[0]) for the version; this one answers like 0.36.8.
    // Outside the temp dir, which would turn dev mode on.
    const dir = mkdtempSync(join(projectRoot, ".tmp-old-pocketbase-"));
    const oldPocketBase = join(dir, "pocketbase");
    writeFileSync(oldPocketBase, "#!/bin/sh\necho 'pocketbase version 0.36.8'\n");
    chmodSync(oldPocketBase, 0o755);
    try {
      const failure = await startPocketBase({ env: {}, argv0: oldPocketBase }).then(
        () => new Error("PocketBase started"),
        (error: Error) => error,
      );
      expect(failure.message).toContain("Error: PocketBase 0.36.8 is not supported: these hooks need PocketBase 0.40.4 or a later 0.40.x (see DEPLOY.md).");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// WECHAT_AVATAR_CHECK is on by default, but without the message push nothing could receive WeChat's
// verdicts, so no upload is submitted: with default settings, avatars go unchecked.
describe("avatar checks that nothing could receive the verdicts of", () => {
  const UNCHECKED_WARNING = "[bai] WARNING Avatar uploads are NOT checked by WeChat";

  it("make start-up warn, on the console and in the logs, with default settings", async () => {
    const instance = await startPocketBase({ env: {} });
    try {
      expect(instance.output()).toContain(UNCHECKED_WARNING);
      expect((await allLogs(instance)).map((entry) => entry.message)).toContainEqual(expect.stringContaining("Avatar uploads are NOT checked by WeChat"));
    } finally {
      await instance.stop();
      instance.remove();
    }
  });

  it.each([
    ["the push is configured", { WECHAT_PUSH_TOKEN: "pushToken2026" }],
    ["the check is turned off", { WECHAT_AVATAR_CHECK: "off" }],
  ])("say nothing when %s", async (_, env) => {
    const instance = await startPocketBase({ env });
    try {
      expect(instance.output()).not.toContain(UNCHECKED_WARNING);
    } finally {
      await instance.stop();
      instance.remove();
    }
  });
});
