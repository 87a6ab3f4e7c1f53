import { createContext, runInContext } from "node:vm";

/**
 * Runs a CommonJS file in a fresh JS realm that holds only what a mini-program's module scope has
 * (module, exports, timers, console): no require, no process, no fetch. Answers its exports.
 */
export function loadInBareRealm(source: string): Record<string, any> {
  const module = { exports: {} as Record<string, any> };
  const realm = createContext({ module, exports: module.exports, setTimeout, clearTimeout, console });
  runInContext(`(function (module, exports) {${source}\n})(module, exports)`, realm);
  return module.exports;
}
