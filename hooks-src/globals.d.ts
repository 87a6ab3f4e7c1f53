// Stamped by build.mjs through esbuild's `define`.
declare const __BUILD_TIME__: string;
declare const __APP_VERSION__: string;

// goja_nodejs's console, which PocketBase enables in every VM; not in its types.d.ts.
declare const console: {
  log(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
};

// The CommonJS module goja_nodejs's require() runs the bundle as (hooks-src/index.ts sets its exports).
declare const module: { exports: object };
