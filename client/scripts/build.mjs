// Builds the SDK into dist/: index.js (one CommonJS file, ES2017, for WeChat's runtime and its
// 构建 npm step) and the .d.ts files. Prints the minified and gzipped size.
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
}

/** Writes the bundle alone to `outfile`: what dist/index.js holds, for tests that must not race on dist/. */
export async function bundle(outfile) {
  await esbuild.build({ ...bundleOptions, outfile });
}

/** Bytes of the SDK minified, and minified then gzipped. */
export async function measure() {
  const result = await esbuild.build({ ...bundleOptions, minify: true, write: false });
  const minified = result.outputFiles[0].contents;
  return { minified: minified.length, gzipped: gzipSync(minified, { level: 9 }).length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await build();
  const { minified, gzipped } = await measure();
  console.log(`dist/index.js built; minified ${minified} B, minified+gzip ${gzipped} B`);
}
