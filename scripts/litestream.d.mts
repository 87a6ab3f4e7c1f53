export const litestreamVersion: string;
export function ensureLitestream(options?: { log?: (line: string) => void }): { bin: string };
