export const projectRoot: string;
export const pocketbaseVersion: string;
export const cacheDir: string;
export const typesPath: string;
export function ensurePocketBase(options?: { log?: (line: string) => void }): { bin: string; typesPath: string; version: string };
