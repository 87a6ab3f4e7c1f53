// npm run dev: the edit-and-try loop.
//   - build.mjs --watch rebuilds pb_hooks/ on every change to hooks-src/;
//   - PocketBase runs with --hooksWatch, so it restarts itself whenever pb_hooks/ changes,
//     on the persistent (gitignored) pb_data/, with the usual superuser for the admin UI;
//   - the WeChat simulator answers in WeChat's place, with WECHAT_* pointed at it, in DevTools mode:
//     WeChat DevTools' own wx.login codes log in as one development user (WECHAT_SIM_DEVTOOLS=0 turns
//     that off; WECHAT_SIM_DEVTOOLS_DEVICE names the user, e.g. one name per developer).
// Ctrl-C stops all three. BAI_DEV_PORT (8090) and WECHAT_SIM_PORT (9300) move the ports; the
// Application URL (where avatar URLs start) follows BAI_DEV_PORT.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { appsFromEnvironment, DEFAULT_DEVTOOLS_DEVICE, devtoolsModeFromEnv, startWechatSimulator } from "../sim/wechat-simulator.mjs";
import { ensurePocketBase, projectRoot } from "./pocketbase.mjs";
import { serveFlags, SUPERUSER, upsertSuperuser } from "./pocketbase-process.mjs";

const port = Number(process.env.BAI_DEV_PORT ?? 8090);
const simulatorPort = Number(process.env.WECHAT_SIM_PORT ?? 9300);
const baseUrl = `http://127.0.0.1:${port}`;
const pocketbaseArgs = serveFlags({ dataDir: join(projectRoot, "pb_data"), hooksWatch: true });
const wechat = { appId: "wx_sim_appid", secret: "sim_secret" };

const { bin } = ensurePocketBase();

let simulator;
try {
  simulator = await startWechatSimulator({
    port: simulatorPort,
    ...wechat,
    devtools: devtoolsModeFromEnv(process.env.WECHAT_SIM_DEVTOOLS, true),
    devtoolsDevice: process.env.WECHAT_SIM_DEVTOOLS_DEVICE ?? DEFAULT_DEVTOOLS_DEVICE,
    // WECHAT_APPS reaches PocketBase as it is; the simulator serves the same apps.
    apps: appsFromEnvironment(process.env.WECHAT_APPS),
  });
} catch (error) {
  console.error(`Cannot start the WeChat simulator on port ${simulatorPort} (${error.code ?? error.message}); set WECHAT_SIM_PORT to another port.`);
  process.exit(1);
}
// The Application URL is where avatar URLs start: the address served.
const env = { ...process.env, WECHAT_APPID: wechat.appId, WECHAT_SECRET: wechat.secret, WECHAT_API_BASE: simulator.url, APPLICATION_URL: baseUrl };

let pocketbase = null;
let stopping = false;

function startPocketBase() {
  const child = spawn(bin, ["serve", `--http=127.0.0.1:${port}`, ...pocketbaseArgs], { stdio: "inherit", env });
  child.on("exit", (code, signal) => {
    if (pocketbase === child) pocketbase = null;
    if (stopping) return;
    console.error(`\n[dev] PocketBase stopped (${signal ?? `exit code ${code}`}); it starts again after the next successful build.`);
  });
  pocketbase = child;
  return child;
}

async function waitUntilHealthy(child) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function printBanner() {
  console.log(`
  BAI dev server ─ edit hooks-src/ and the change is served within a second
    API         ${baseUrl}/api/   (e.g. POST /api/system/test-helloworld)
    Admin UI    ${baseUrl}/_/   ${SUPERUSER.email} / ${SUPERUSER.password}
    Simulator   ${simulator.url}   login codes u-<name>-<nonce>, phone codes p-<digits>-<nonce>${
      simulator.devtoolsOpenid ? `\n    DevTools    base URL ${baseUrl}, 详情 → 本地设置 → 不校验合法域名; wx.login logs in as ${simulator.devtoolsOpenid}` : ""
    }
    Data        pb_data/ (kept between runs; delete it for a fresh start)
  npm run demo walks login → profile → refresh-token. Ctrl-C stops everything.
`);
}

// build.mjs --watch prints "[build] … rebuilt" after each successful build, the first one included.
const watcher = spawn(process.execPath, [join(projectRoot, "build.mjs"), "--watch"], { stdio: ["ignore", "pipe", "inherit"] });
let firstBuild = true;
createInterface({ input: watcher.stdout }).on("line", async (line) => {
  console.log(line);
  if (!line.includes("rebuilt") || stopping) return;
  if (firstBuild) {
    firstBuild = false;
    upsertSuperuser(bin, pocketbaseArgs, env);
    if (await waitUntilHealthy(startPocketBase())) printBanner();
    else console.error(`[dev] PocketBase did not come up at ${baseUrl}; see its output above (port taken? set BAI_DEV_PORT).`);
  } else if (!pocketbase) {
    startPocketBase(); // it had stopped on a broken build; running ones restart themselves
  }
});
watcher.on("exit", (code) => {
  if (!stopping) {
    console.error(`[dev] the build watcher exited (${code}); stopping.`);
    stop(1);
  }
});

async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  const exited = (child) => (child && child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : null);
  const waits = [exited(pocketbase), exited(watcher)];
  pocketbase?.kill("SIGTERM");
  watcher.kill("SIGTERM");
  await Promise.all([...waits, simulator.close()]);
  process.exit(exitCode);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
