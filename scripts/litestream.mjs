// Provides a Litestream binary for the benchmark's backup test (scripts/bench/litestream.mjs), so
// that a machine with Node.js and Go alone replicates and restores for real: LITESTREAM_BIN, else
// built from the Go module proxy at package.json config.litestreamVersion (go-binary.mjs).
//
// Run directly, it prints the binary's path. Imported, ensureLitestream() does the same work.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { goBinary } from "./go-binary.mjs";
import { projectRoot } from "./pocketbase.mjs";

export const litestreamVersion = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).config.litestreamVersion;

export const ensureLitestream = goBinary({
  name: "litestream",
  modulePath: "github.com/benbjohnson/litestream/cmd/litestream",
  version: litestreamVersion,
  envVariable: "LITESTREAM_BIN",
  purpose: "the backup test of npm run bench",
  cgo: true,
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(ensureLitestream().bin);
}
