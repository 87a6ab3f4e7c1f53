// The audit trail as staff read it: PocketBase's logs, through the superuser logs API.
// PocketBase writes logs in batches (after 3 s without a new entry, or every 200 entries),
// so a reader polls until the entries it waits for are there.
import { inject } from "vitest";
import { superuserToken } from "../../scripts/pocketbase-process.mjs";

export interface AuditEntry {
  id: string;
  created: string;
  message: string;
  data: Record<string, any>;
}

export function auditLog(baseUrl: string = inject("pocketbaseUrl")) {
  let token: string | undefined;
  async function find(filter: string): Promise<AuditEntry[]> {
    token ??= await superuserToken(baseUrl);
    const query = new URLSearchParams({ filter, sort: "-created", perPage: "200" });
    const response = await fetch(`${baseUrl}/api/logs?${query}`, { headers: { authorization: token } });
    if (!response.ok) throw new Error(`logs API answered ${response.status}: ${await response.text()}`);
    return (await response.json()).items;
  }
  return {
    find,
    // Waits until `filter` matches at least `count` entries, and returns them all.
    async waitFor(filter: string, count = 1, timeoutMs = 15_000): Promise<AuditEntry[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const entries = await find(filter);
        if (entries.length >= count || Date.now() > deadline) return entries;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}
