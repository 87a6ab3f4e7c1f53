// Writes src/generated/openapi.ts from ../spec/openapi.yaml with openapi-typescript, so the SDK's
// request and response types cannot drift from the contract without a compile error.
//
//   node scripts/generate-types.mjs           rewrite the file
//   node scripts/generate-types.mjs --check   exit 1 if the file is stale (the unit suite checks this too)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const clientRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const specPath = join(clientRoot, "..", "spec", "openapi.yaml");
export const generatedPath = join(clientRoot, "src", "generated", "openapi.ts");

const HEADER = "// Generated from spec/openapi.yaml by client/scripts/generate-types.mjs. Do not edit.\n\n";

export async function generateTypes() {
  // defaultNonNullable: false, so that a request field with a default (cancel_deletion, scope) may be left out.
  const ast = await openapiTS(pathToFileURL(specPath), { alphabetize: false, exportType: false, defaultNonNullable: false });
  return HEADER + astToString(ast);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const fresh = await generateTypes();
  if (process.argv.includes("--check")) {
    if (readFileSync(generatedPath, "utf8") !== fresh) {
      console.error(`${generatedPath} is stale: run npm run generate in client/`);
      process.exit(1);
    }
  } else {
    writeFileSync(generatedPath, fresh);
  }
}
