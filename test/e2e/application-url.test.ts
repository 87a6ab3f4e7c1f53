// PocketBase's Application URL, on which avatar URLs are built and then stored in profiles. Start-up
// says when it is still PocketBase's default; APPLICATION_URL (which npm start and npm run dev set to
// the address they serve) writes it; a change of it carries the stored avatar URLs along.
import { execSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import { filePart, images, uploadAvatar } from "../support/avatars";
import { allLogs } from "../support/logs";
import { exemptLoopbackFromRateLimits, freePort, startPocketBase, startWithSimulator } from "../support/pocketbase";
import { uniqueName } from "../support/wechat";

const DEFAULT_APP_URL_WARNING = "[bai] WARNING The Application URL is PocketBase's default, http://localhost:8090";

describe("PocketBase's default Application URL", () => {
  it("makes start-up warn, on the console and in the logs", async () => {
    const instance = await startPocketBase({ env: {} });
    try {
      expect(instance.output()).toContain(DEFAULT_APP_URL_WARNING);
      const logged = (await allLogs(instance)).map((entry) => entry.message);
      expect(logged).toContainEqual(expect.stringContaining("The Application URL is PocketBase's default"));
    } finally {
      await instance.stop();
      instance.remove();
    }
  });
});

describe("APPLICATION_URL", () => {
  it("is written into the Application URL at start, without the warning", async () => {
    const instance = await startPocketBase({ env: { APPLICATION_URL: "https://mp.example.com/pb/" } });
    try {
      expect((await (await adminClient(instance.url)).pb.settings.getAll()).meta.appURL).toBe("https://mp.example.com/pb");
      expect(instance.output()).not.toContain(DEFAULT_APP_URL_WARNING);
    } finally {
      await instance.stop();
      instance.remove();
    }
  });

  it("leaves the Application URL alone, loudly, when it is not an http(s) URL", async () => {
    const instance = await startPocketBase({ env: { APPLICATION_URL: "mp.example.com/pb" } });
    try {
      expect((await (await adminClient(instance.url)).pb.settings.getAll()).meta.appURL).toBe("http://localhost:8090");
      expect(instance.output()).toContain('[bai] WARNING APPLICATION_URL "mp.example.com/pb" is not an http(s) URL');
    } finally {
      await instance.stop();
      instance.remove();
    }
  });
});

describe("a change of the Application URL", () => {
  it("rewrites the avatar URLs stored on the old one, in the admin UI and through APPLICATION_URL, and no other picture", async () => {
    const own = await startWithSimulator();
    let restarted: Awaited<ReturnType<typeof startPocketBase>> | undefined;
    try {
      await exemptLoopbackFromRateLimits(own.instance);
      const client = api(own.instance.url);
      const withAvatar = await client.signIn(uniqueName("appurl"));
      const upload = await uploadAvatar(withAvatar.token, [filePart(images.png, "tmp_1.png", "image/png")], own.instance.url);
      const storedOnDefault: string = upload.body.data.url;
      expect(storedOnDefault.startsWith("http://localhost:8090/api/files/tbl_user_avatars/")).toBe(true);
      expect((await client.profile(withAvatar.token, validProfile({ users_picture: storedOnDefault }))).status).toBe(200);
      const elsewhere = await client.signIn(uniqueName("appurl"));
      expect((await client.profile(elsewhere.token, validProfile({ users_picture: "http://localhost:8090/elsewhere.png" }))).status).toBe(200);

      const admin = await adminClient(own.instance.url);
      await admin.pb.settings.update({ meta: { appURL: `${own.instance.url}/` } });
      const moved = storedOnDefault.replace("http://localhost:8090", own.instance.url);
      expect((await admin.users.getOne(withAvatar.user.pb_id)).users_picture).toBe(moved);
      expect((await fetch(moved)).headers.get("content-type")).toBe("image/png");
      expect((await admin.users.getOne(elsewhere.user.pb_id)).users_picture).toBe("http://localhost:8090/elsewhere.png");

      await own.instance.stop();
      restarted = await startPocketBase({ dataDir: own.instance.dataDir, env: { APPLICATION_URL: "https://mp.example.com/pb" } });
      const afterRestart = await adminClient(restarted.url);
      expect((await afterRestart.users.getOne(withAvatar.user.pb_id)).users_picture).toBe(storedOnDefault.replace("http://localhost:8090", "https://mp.example.com/pb"));
      const logged = (await allLogs(restarted)).map((entry) => entry.message);
      expect(logged).toContain(`Application URL http://localhost:8090 → ${own.instance.url}/: 1 stored avatar URL moved to it.`);
    } finally {
      await restarted?.stop();
      await own.close();
    }
  });
});

describe("README's first-run lines", () => {
  const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
  const pinned = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).config.pocketbaseVersion;

  it("create the first admin, then serve on another port with the Application URL of that address", { timeout: 90_000 }, async () => {
    const createAdmin = /`(\.pocketbase\/v[\d.]+\/pocketbase superuser upsert (\S+) (\S+) --dir=pb_data --dev=false)`/.exec(readme);
    const anotherPort = /`(npm start -- --http=127\.0\.0\.1:(\d+))`/.exec(readme);
    expect(createAdmin, "README gives the command that creates the first admin").not.toBeNull();
    expect(anotherPort, "README gives the command that serves on another port").not.toBeNull();
    expect(createAdmin![1]).toContain(`.pocketbase/v${pinned}/pocketbase`);

    const dataDir = mkdtempSync(join(tmpdir(), "bai-readme-"));
    const port = await freePort();
    const [email, password] = [createAdmin![2], createAdmin![3].replace(/^'|'$/g, "")];
    execSync(createAdmin![1].replace("--dir=pb_data", `--dir=${dataDir}`), { cwd: projectRoot, stdio: "ignore" });
    const command = anotherPort![1].replace(`:${anotherPort![2]}`, `:${port}`);
    const started = spawn("sh", ["-c", `${command} --dir=${dataDir}`], { cwd: projectRoot, detached: true, stdio: "ignore" });
    const url = `http://127.0.0.1:${port}`;
    try {
      for (const deadline = Date.now() + 60_000; !(await fetch(`${url}/api/health`).then((answer) => answer.ok, () => false)); ) {
        if (Date.now() > deadline || started.exitCode !== null) throw new Error(`${command} did not serve at ${url}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const token = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ identity: email, password }),
      }).then((answer) => answer.json());
      const settings = await fetch(`${url}/api/settings`, { headers: { authorization: token.token } }).then((answer) => answer.json());
      expect(settings.meta.appURL).toBe(url);
    } finally {
      const exited = new Promise((resolve) => started.once("exit", resolve));
      process.kill(-started.pid!, "SIGTERM");
      await exited;
      while (await fetch(`${url}/api/health`).then(() => true, () => false)) await new Promise((resolve) => setTimeout(resolve, 100));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
