// npm run bench measures what each feature costs by cutting it out of the built hooks, text by text
// (scripts/bench/features.mjs). A change to the code a cut names must change the cut too: a cut
// that no longer matches stops the benchmark half an hour in.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FEATURE_VARIANTS, variantHooks } from "../../scripts/bench/features.mjs";
import { projectRoot } from "../../scripts/pocketbase.mjs";

describe("the bench's feature cuts", () => {
  it.each(Object.keys(FEATURE_VARIANTS))("%s finds each text it cuts once in the built hooks", (name) => {
    expect(() => variantHooks(join(projectRoot, "pb_hooks"), FEATURE_VARIANTS[name])).not.toThrow();
  });
});
