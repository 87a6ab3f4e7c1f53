// Debian's Chromium (/usr/bin/chromium, from apt) driven by playwright-core, which never
// downloads a browser of its own. Flags keep it headless and off the network but loopback.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

// A fresh profile each time, removed on close, so no state leaks between runs.
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install chromium fonts-wqy-microhei (or set CHROMIUM_PATH)`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "bai-chromium-"));
  const context = await chromium
    .launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport, locale: "zh-CN" })
    .catch((error) => {
      rmSync(userDataDir, { recursive: true, force: true });
      throw error;
    });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
