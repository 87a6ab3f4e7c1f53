// Provides a Caddy binary for test/e2e/proxy.test.ts, so that deploy/Caddyfile is always run
// for real on a machine with Node.js and Go alone (nginx runs too, where it is installed):
// CADDY_BIN, else built from the Go module proxy at package.json config.caddyVersion (go-binary.mjs).
//
// Run directly, it prints the binary's path. Imported, ensureCaddy() does the same work.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { goBinary } from "./go-binary.mjs";
import { projectRoot } from "./pocketbase.mjs";

export const caddyVersion = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).config.caddyVersion;

export const ensureCaddy = goBinary({
  name: "caddy",
  modulePath: "github.com/caddyserver/caddy/v2/cmd/caddy",
  version: caddyVersion,
  envVariable: "CADDY_BIN",
  purpose: "the reverse-proxy test",
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensureCaddy().bin);
}
