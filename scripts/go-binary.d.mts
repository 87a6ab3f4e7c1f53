export interface GoBinaryOptions {
  name: string;
  modulePath: string;
  version: string;
  envVariable: string;
  purpose: string;
  cgo?: boolean;
}
export function goBinary(options: GoBinaryOptions): (options?: { log?: (line: string) => void }) => { bin: string };
