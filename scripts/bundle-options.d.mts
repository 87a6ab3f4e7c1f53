import type { BuildOptions } from "esbuild";

export const hooksDir: string;
export function bundleOptions(): BuildOptions;
