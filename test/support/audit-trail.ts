// The audit trail as staff read it: the collection bai_audit_events, through PocketBase's records
// API with a superuser token (what the admin UI does). Our code writes an event before it answers,
// except the cron jobs, which PocketBase runs in the background: waitFor polls for those.
import { inject } from "vitest";
import { superuserToken } from "../../scripts/pocketbase-process.mjs";

export interface AuditRow {
  id: string;
  created: string;
  event: string;
  users_id: string;
  pb_id: string;
  by: string;
  ip: string;
  staff: string;
  details: Record<string, any>;
}

export const AUDIT_EVENTS = "bai_audit_events";

// A row as one object, its details beside its columns: { event, pb_id, by, appid, … }.
export const flatAuditRow = ({ details, ...columns }: AuditRow): Record<string, any> => ({ ...columns, ...details });

export function auditTrail(baseUrl: string = inject("pocketbaseUrl")) {
  let token: string | undefined;
  async function find(filter = ""): Promise<AuditRow[]> {
    token ??= await superuserToken(baseUrl);
    const rows: AuditRow[] = [];
    for (let page = 1, totalPages = 1; page <= totalPages; page++) {
      const query = new URLSearchParams({ filter, sort: "-created", perPage: "500", page: String(page) });
      const response = await fetch(`${baseUrl}/api/collections/${AUDIT_EVENTS}/records?${query}`, { headers: { authorization: token } });
      if (!response.ok) throw new Error(`the audit trail answered ${response.status}: ${await response.text()}`);
      const body = await response.json();
      rows.push(...body.items);
      totalPages = body.totalPages;
    }
    return rows;
  }
  return {
    find,
    // Waits until `filter` matches at least `count` rows, and returns them all.
    async waitFor(filter: string, count = 1, timeoutMs = 15_000): Promise<AuditRow[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await find(filter);
        if (rows.length >= count || Date.now() > deadline) return rows;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
