// Runs a mini-program's own files the way WeChat loads them, as far as Node can: each file a CommonJS
// module in one JS realm whose globals are only wx, App, Page, timers and console, and require()
// resolving relative paths inside the project and package names in miniprogram_npm/ (what 构建 npm
// produced). Page() captures the page's options so a test can drive it like the runtime would.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createContext, runInContext } from "node:vm";
import type { WxApi } from "../src/wx";

export interface PageInstance {
  data: Record<string, any>;
  setData(patch: Record<string, unknown>): void;
  [method: string]: any;
}

export function loadMiniProgram(projectRoot: string, wx: WxApi & Record<string, unknown>) {
  const pages = new Map<string, Record<string, any>>();
  let currentFile = "";
  const realm = createContext({
    wx,
    setTimeout,
    clearTimeout,
    console,
    App: () => {},
    Page: (options: Record<string, any>) => void pages.set(currentFile, options),
  });
  const cache = new Map<string, { exports: unknown }>();

  function load(file: string): unknown {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} };
    cache.set(file, module);
    const wrapped = runInContext(`(function (module, exports, require) {${readFileSync(file, "utf8")}\n})`, realm, { filename: file });
    const previous = currentFile;
    currentFile = file;
    wrapped(module, module.exports, (name: string) => load(resolveModule(file, name)));
    currentFile = previous;
    return module.exports;
  }

  function resolveModule(from: string, name: string): string {
    if (name.startsWith(".")) {
      const path = resolve(dirname(from), name);
      return path.endsWith(".js") ? path : `${path}.js`;
    }
    return join(projectRoot, "miniprogram_npm", name, "index.js");
  }

  return {
    /** Loads a module of the project (e.g. "utils/config.js") and answers its exports. */
    module: (path: string) => load(join(projectRoot, path)) as Record<string, any>,

    /** Loads pages/<route>.js and answers a page instance with the runtime's setData. */
    openPage(route: string): PageInstance {
      const file = join(projectRoot, `${route}.js`);
      load(file);
      const options = pages.get(file);
      if (!options) throw new Error(`${route}.js did not call Page()`);
      const page = Object.create(options) as PageInstance;
      page.data = structuredClone(options.data ?? {});
      page.setData = (patch) => Object.assign(page.data, patch);
      return page;
    },
  };
}
