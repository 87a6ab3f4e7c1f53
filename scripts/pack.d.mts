export const DOCUMENTS: string[];
export function archivePath(): string;
/** Copies what the release archive holds into dir. */
export function stage(dir: string): void;
export function pack(options?: { build?: boolean }): { path: string; sha256: string };
export function packSdk(): string;
