// The real, pinned PocketBase binary with the built hooks and migrations. Never a mock.
export { SUPERUSER, freePort, startPocketBase, type PocketBaseInstance } from "../../scripts/pocketbase-process.mjs";
import type { PocketBaseInstance } from "../../scripts/pocketbase-process.mjs";

export function removeDataDir(instance: PocketBaseInstance): void {
  instance.remove();
}
