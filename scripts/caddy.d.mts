export const caddyVersion: string;
export function ensureCaddy(options?: { log?: (line: string) => void }): { bin: string };
