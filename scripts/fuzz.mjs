// npm run fuzz: schemathesis against spec/openapi.yaml on a live instance (the pinned
// PocketBase with our hooks, beside the WeChat simulator). It generates valid and invalid
// requests for every operation and checks each answer against the spec: no undocumented
// status, no 5xx but the documented upstream ones, bodies and content types as declared.
//
//   npm run fuzz                      the default budget
//   FUZZ_MAX_EXAMPLES=500 npm run fuzz
//
// schemathesis (pinned below) is installed from PyPI into .tmp/fuzz-venv on first use.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "./pocketbase.mjs";
import { exemptLoopbackFromRateLimits, startPocketBase } from "./pocketbase-process.mjs";
import { startWechatSimulator } from "../sim/wechat-simulator.mjs";

const SCHEMATHESIS_VERSION = "4.32.5";
const venv = join(projectRoot, ".tmp", "fuzz-venv");
const schemathesis = join(venv, "bin", "st");
const maxExamples = process.env.FUZZ_MAX_EXAMPLES ?? "200";

// Checks left out, and why:
// - positive_data_acceptance: a schema-valid code can still be one WeChat refuses (400),
//   so "valid input must succeed" does not hold for this API by design. For the same reason
//   schemathesis warns that login and profile "mostly reject generated data": the simulator
//   answers made-up codes with 40029, as WeChat would.
const EXCLUDED_CHECKS = ["positive_data_acceptance"];

function installSchemathesis() {
  if (existsSync(schemathesis)) return;
  console.log(`Installing schemathesis ${SCHEMATHESIS_VERSION} into .tmp/fuzz-venv ...`);
  execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  execFileSync(join(venv, "bin", "pip"), ["install", "-q", `schemathesis==${SCHEMATHESIS_VERSION}`], { stdio: "inherit" });
}

installSchemathesis();
execFileSync(process.execPath, [join(projectRoot, "build.mjs")], { stdio: "inherit" });

const simulator = await startWechatSimulator({ appId: "wx_fuzz_appid", secret: "fuzz_secret" });
const pocketbase = await startPocketBase({
  env: { WECHAT_APPID: "wx_fuzz_appid", WECHAT_SECRET: "fuzz_secret", WECHAT_API_BASE: simulator.url, WECHAT_TIMEOUT_S: "5" },
});
let exitCode = 1;
try {
  await exemptLoopbackFromRateLimits(pocketbase);
  const login = await fetch(`${pocketbase.url}/api/wechat/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ users_wx_code: `u-fuzzer-${Date.now()}` }),
  });
  const { token } = await login.json();

  // Asynchronous: the simulator answers WeChat calls from this very process.
  const fuzzer = spawn(
    schemathesis,
    [
      "run",
      join(projectRoot, "spec", "openapi.yaml"),
      `--url=${pocketbase.url}`,
      `--header=Authorization: Bearer ${token}`,
      "--checks=all",
      ...EXCLUDED_CHECKS.map((check) => `--exclude-checks=${check}`),
      `--max-examples=${maxExamples}`,
      "--seed=20261121",
      "--no-color",
    ],
    { stdio: "inherit", env: { ...process.env, SCHEMATHESIS_TELEMETRY: "false" } },
  );
  exitCode = await new Promise((resolve) => fuzzer.on("exit", (code) => resolve(code ?? 1)));
} finally {
  await pocketbase.stop();
  pocketbase.remove();
  await simulator.close();
}
process.exit(exitCode);
