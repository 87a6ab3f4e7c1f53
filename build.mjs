// Builds hooks-src/ into pb_hooks/bai_wechat_auth.js: one CommonJS bundle (not *.pb.js, so
// PocketBase doesn't run it as hooks). pb_hooks/bai_wechat_auth.pb.js, committed and fixed,
// registers what the bundle's tables in hooks-src/registry/ list.
//
//   node build.mjs            build once
//   node build.mjs --watch    rebuild on every change to hooks-src/
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const hooksDir = join(root, "pb_hooks");
const bundlePath = join(hooksDir, "bai_wechat_auth.js");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

function buildOptions() {
  return {
    entryPoints: [join(root, "hooks-src/index.ts")],
    outfile: bundlePath,
    bundle: true,
    format: "cjs",
    platform: "neutral",
    target: "es2022",
    minify: false,
    keepNames: false,
    legalComments: "none",
    logLevel: "warning",
    define: {
      // SOURCE_DATE_EPOCH makes builds, and so release archives, reproducible.
      __BUILD_TIME__: JSON.stringify(new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now()).toISOString()),
      __APP_VERSION__: JSON.stringify(version),
    },
  };
}

async function buildOnce() {
  mkdirSync(hooksDir, { recursive: true });
  await esbuild.build(buildOptions());
}

if (process.argv.includes("--watch")) {
  const context = await esbuild.context({
    ...buildOptions(),
    plugins: [
      {
        name: "report-rebuild",
        setup(build) {
          build.onEnd((result) => {
            if (result.errors.length === 0) console.log(`[build] ${new Date().toLocaleTimeString()} pb_hooks/ rebuilt`);
          });
        },
      },
    ],
  });
  await context.watch();
  console.log("[build] watching hooks-src/ for changes");
} else {
  await buildOnce();
}
