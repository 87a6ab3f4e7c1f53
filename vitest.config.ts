import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["hooks-src/**/*.test.ts", "sim/**/*.test.mjs", "scripts/**/*.test.mjs"],
        },
      },
      {
        // The mini-program SDK in client/: unit tests against a fake wx, its bundle, and WeChat's 构建 npm.
        test: {
          name: "client",
          include: ["client/test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          // One real PocketBase and one simulator are shared; files run one after another.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
