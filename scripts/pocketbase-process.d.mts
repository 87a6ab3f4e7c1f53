export const SUPERUSER: { email: string; password: string };

export interface PocketBaseInstance {
  url: string;
  dataDir: string;
  pid(): number | undefined;
  output(): string;
  superuserToken(): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  remove(): void;
}

export interface PocketBaseOptions {
  env?: Record<string, string>;
  dataDir?: string;
  hooksDir?: string;
  migrationsDir?: string;
  // Hook files (name → source) added to a copy of the hooks dir, for this instance alone.
  extraHooks?: Record<string, string>;
  extraArgs?: string[];
  // What `serve` sees as its own path (os.Args[0]), when not the binary's.
  argv0?: string;
  // A command PocketBase runs under, e.g. ["valgrind", "--tool=callgrind"]; and how long to wait for it to answer.
  wrapper?: string[];
  startTimeoutMs?: number;
}

export interface ServeFlagsOptions {
  dataDir: string;
  hooksDir?: string;
  migrationsDir?: string;
  hooksWatch?: boolean;
}

export function serveFlags(options: ServeFlagsOptions): string[];
export function servedUrl(serveArgs: string[], interfaces?: NodeJS.Dict<import("node:os").NetworkInterfaceInfo[]>): string;
export function upsertSuperuser(bin: string, flags: string[], env: Record<string, string | undefined>): void;
export function hooksDirWith(extraFiles: Record<string, string>, sourceDir?: string): { dir: string; remove(): void };
export function freePort(): Promise<number>;
export function startPocketBase(options?: PocketBaseOptions): Promise<PocketBaseInstance>;
export function superuserToken(url: string): Promise<string>;
export function exemptLoopbackFromRateLimits(instance: PocketBaseInstance): Promise<void>;
