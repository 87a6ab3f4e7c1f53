// Chromium driven by playwright-core, which never downloads a browser of its own. Debian's
// (/usr/bin/chromium, from apt, with a CJK font: CI installs both, and docs:screenshot needs
// them), else npm's @sparticuz/chromium, an optional dependency that npm installs on the Node.js
// versions it accepts (≥ 22.17), so the browser tests run on a machine with Node.js alone. With
// neither, they skip with one loud line (in CI they fail). Flags keep it headless and off the
// network but loopback.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

const NPM_CHROMIUM = join(import.meta.dirname, "../../node_modules/@sparticuz/chromium");
const npmChromiumInstalled = () => existsSync(NPM_CHROMIUM);

/** Whether the browser tests can run here; when not, prints why, loudly, for `what`. */
export function chromiumAvailable(what: string): boolean {
  const chosen = process.env.CHROMIUM_PATH;
  if ((chosen && chosen !== "npm") || (!chosen && existsSync(DEBIAN_CHROMIUM)) || process.env.CI || process.env.BAI_UPDATE_SCREENSHOT || npmChromiumInstalled()) return true;
  console.warn(
    `\n!!! SKIPPED: ${what}: no Chromium. Debian's (${DEBIAN_CHROMIUM}: apt-get install chromium fonts-wqy-microhei) is not ` +
      `installed, nor npm's @sparticuz/chromium, which npm installs only on Node.js ≥ 22.17 (this is ${process.version}). !!!\n`,
  );
  return false;
}

interface ChromiumBuild {
  executablePath: string;
  env?: Record<string, string>;
}

async function findChromium(): Promise<ChromiumBuild> {
  // CHROMIUM_PATH: a browser of your choice, or "npm" for npm's build even where Debian's is.
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen && chosen !== "npm") return { executablePath: chosen };
  if (!chosen && existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM };
  if (process.env.CI) throw new Error(`No Chromium at ${DEBIAN_CHROMIUM} in CI: .ci/run installs chromium and fonts-wqy-microhei`);
  if (process.env.BAI_UPDATE_SCREENSHOT) throw new Error(`docs:screenshot needs Debian's Chromium and a CJK font: apt-get install chromium fonts-wqy-microhei`);
  // npm's build unpacks itself under the temp dir on first use (a few seconds). It is built for
  // Amazon Linux; the NSS libraries it ships beside it are the ones it is tested with.
  const { default: npmChromium, inflate } = await import("@sparticuz/chromium");
  const executablePath = await npmChromium.executablePath();
  const libraries = await inflate(join(NPM_CHROMIUM, "bin/al2023.tar.br"));
  return { executablePath, env: { ...process.env, LD_LIBRARY_PATH: join(libraries, "lib") } as Record<string, string> };
}

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
  const build = await findChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), "bai-chromium-"));
  const context = await chromium
    .launchPersistentContext(userDataDir, { ...build, headless: true, args: CHROMIUM_ARGS, viewport, locale: "zh-CN" })
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
