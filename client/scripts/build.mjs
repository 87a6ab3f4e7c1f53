// Builds the SDK into dist/: index.js (one CommonJS file, ES2017, for WeChat's runtime and its
// 构建 npm step, which reads `main`), index.mjs (the same as an ES module, `module`, so that a bundler
// that tree-shakes keeps only what the app imports), and the .d.ts files. Prints the minified and
// gzipped sizes: the whole SDK, and what a login-only app (createAuthClient) keeps of it.
//
//   node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

export const clientRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const bundlePath = join(clientRoot, "dist", "index.js");
export const modulePath = join(clientRoot, "dist", "index.mjs");

const bundleOptions = {
  entryPoints: [join(clientRoot, "src", "index.ts")],
  bundle: true,
  format: "cjs",
  platform: "neutral",
  target: "es2017",
  legalComments: "none",
};

export async function build() {
  rmSync(join(clientRoot, "dist"), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(clientRoot, "tsconfig.build.json")], { stdio: "inherit" });
  await bundle(bundlePath);
  await bundle(modulePath, "esm");
}

/** Writes the bundle alone to `outfile`: what dist/index.js (or, as "esm", index.mjs) holds, for tests that must not race on dist/. */
export async function bundle(outfile, format = "cjs") {
  await esbuild.build({ ...bundleOptions, format, outfile });
}

const sizes = (bytes) => ({ minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length });

/** Bytes minified, and minified then gzipped: the whole SDK, and a login-only app's share of it. */
export async function measure() {
  const whole = await esbuild.build({ ...bundleOptions, minify: true, write: false });
  const loginOnly = await esbuild.build({
    ...bundleOptions,
    entryPoints: undefined,
    stdin: { contents: 'export { createAuthClient, BaiClientError } from "./index";', resolveDir: join(clientRoot, "src"), loader: "ts" },
    format: "esm",
    minify: true,
    write: false,
  });
  return { ...sizes(whole.outputFiles[0].contents), loginOnly: sizes(loginOnly.outputFiles[0].contents) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await build();
  const { minified, gzipped, loginOnly } = await measure();
  console.log(`dist/ built; minified ${minified} B, minified+gzip ${gzipped} B (login only: ${loginOnly.minified} B, ${loginOnly.gzipped} B gzipped)`);
}
