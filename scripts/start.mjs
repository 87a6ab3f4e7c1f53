// npm start: build the hooks, provide the pinned PocketBase, and serve at http://127.0.0.1:8090.
//   --with-simulator   also start the local WeChat simulator and point WECHAT_* at it,
//                      to try the whole flow without a real appid. It answers after 50-150 ms,
//                      like WeChat from mainland China (WECHAT_SIM_LATENCY_MS=0 for none), and in
//                      DevTools mode: WeChat DevTools' own wx.login codes log in as one development
//                      user (WECHAT_SIM_DEVTOOLS=0 turns that off; WECHAT_SIM_DEVTOOLS_DEVICE names it).
// Extra arguments after `--` go to `pocketbase serve` (e.g. -- --http=0.0.0.0:8090).
// The Application URL (where avatar URLs start) is set to the address served, through
// APPLICATION_URL; a wildcard host is the LAN address. An APPLICATION_URL of your own wins.
import { spawn, execFileSync } from "node:child_process";
import { join } from "node:path";
import { ensurePocketBase, projectRoot } from "./pocketbase.mjs";
import { servedUrl, serveFlags } from "./pocketbase-process.mjs";

const withSimulator = process.argv.includes("--with-simulator");
const serveArgs = ["--http=127.0.0.1:8090", ...process.argv.slice(2).filter((arg) => arg !== "--with-simulator")];
const url = servedUrl(serveArgs);

execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });
const { bin } = ensurePocketBase();

const env = { ...process.env, APPLICATION_URL: process.env.APPLICATION_URL || url };
let simulator;
if (withSimulator) {
  const { startWechatSimulator, parseLatency, DEFAULT_CLI_LATENCY, DEFAULT_DEVTOOLS_DEVICE, appsFromEnvironment, devtoolsModeFromEnv } = await import("../sim/wechat-simulator.mjs");
  simulator = await startWechatSimulator({
    port: Number(process.env.WECHAT_SIM_PORT ?? 9300),
    appId: "wx_sim_appid",
    secret: "sim_secret",
    latencyMs: parseLatency(process.env.WECHAT_SIM_LATENCY_MS ?? DEFAULT_CLI_LATENCY),
    devtools: devtoolsModeFromEnv(process.env.WECHAT_SIM_DEVTOOLS, true),
    devtoolsDevice: process.env.WECHAT_SIM_DEVTOOLS_DEVICE ?? DEFAULT_DEVTOOLS_DEVICE,
    // WECHAT_APPS reaches PocketBase as it is; the simulator serves the same apps.
    apps: appsFromEnvironment(process.env.WECHAT_APPS),
  });
  Object.assign(env, { WECHAT_APPID: "wx_sim_appid", WECHAT_SECRET: "sim_secret", WECHAT_API_BASE: simulator.url });
  console.log(`WeChat simulator at ${simulator.url}: log in with {"users_wx_code":"u-alice-1"}, phone codes like "p-13800138000-1".`);
  if (simulator.devtoolsOpenid) console.log(`DevTools mode: WeChat DevTools' wx.login codes log in as ${simulator.devtoolsOpenid} (base URL ${url}; tick 不校验合法域名).`);
}

console.log(`Serving at ${url}; Application URL ${env.APPLICATION_URL} (avatar URLs start with it).`);
// serveArgs after serveFlags: a --dir or --http of the caller's wins.
const pocketbase = spawn(bin, ["serve", ...serveFlags({ dataDir: join(projectRoot, "pb_data") }), ...serveArgs], { stdio: "inherit", env });

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => pocketbase.kill(signal));
pocketbase.on("exit", async (code) => {
  await simulator?.close();
  process.exit(code ?? 0);
});
