// Builds hooks-src/ into pb_hooks/bai_wechat_auth.js: one CommonJS bundle (not *.pb.js, so
// PocketBase doesn't run it as hooks). pb_hooks/bai_wechat_auth.pb.js, committed and fixed,
// registers what the bundle's tables in hooks-src/registry/ list.
//
//   node build.mjs            build once
//   node build.mjs --watch    rebuild on every change to hooks-src/
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";
import { bundleOptions, hooksDir } from "./scripts/bundle-options.mjs";

async function buildOnce() {
  mkdirSync(hooksDir, { recursive: true });
  await esbuild.build(bundleOptions());
}

if (process.argv.includes("--watch")) {
  const context = await esbuild.context({
    ...bundleOptions(),
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
