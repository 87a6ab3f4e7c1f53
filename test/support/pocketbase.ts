// The real, pinned PocketBase binary with the built hooks and migrations. Never a mock.
export { SUPERUSER, exemptLoopbackFromRateLimits, freePort, startPocketBase, type PocketBaseInstance } from "../../scripts/pocketbase-process.mjs";
