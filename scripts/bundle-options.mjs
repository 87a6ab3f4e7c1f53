// esbuild's options for the hooks bundles, shared by build.mjs and the test of what the bundle
// does when it loads (hooks-src/bundle-load.test.ts).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const hooksDir = join(root, "pb_hooks");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// Three bundles: the whole one, the hot one with only what the routes of hooks-src/registry/hot-routes.ts
// need, and the lean one for those of lean-routes.ts (file names as hooks-src/registry/route-table.ts has them).
// The bundles' file names in pb_hooks/, as the build writes them.
export const bundleFiles = () => Object.keys(bundleOptions().entryPoints).map((name) => `${name}.js`);

export function bundleOptions() {
  return {
    entryPoints: {
      bai_wechat_auth: join(root, "hooks-src/index.ts"),
      bai_wechat_auth_hot: join(root, "hooks-src/hot.ts"),
      bai_wechat_auth_lean: join(root, "hooks-src/lean.ts"),
    },
    outdir: hooksDir,
    bundle: true,
    format: "cjs",
    platform: "neutral",
    target: "es2022",
    minify: false,
    keepNames: false,
    legalComments: "none",
    logLevel: "warning",
    // hooks-src/index.ts sets module.exports itself: esbuild's ES-export helpers (a getter per
    // export, copied onto a second object) cost every VM's require() a tenth of its time.
    logOverride: { "commonjs-variable-in-esm": "silent" },
    define: {
      // SOURCE_DATE_EPOCH makes builds, and so release archives, reproducible.
      __BUILD_TIME__: JSON.stringify(new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now()).toISOString()),
      __APP_VERSION__: JSON.stringify(version),
    },
  };
}
