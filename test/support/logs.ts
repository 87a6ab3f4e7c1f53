// PocketBase's logs, read through its own API with a superuser token.
//
// PocketBase keeps log entries in memory and writes them in batches: once 200 have piled up, 3 s
// after the last one came in, and when it stops. So the sure and quick way to read them all is to
// stop the instance and start it again on the same data.
import type { PocketBaseInstance } from "./pocketbase";

interface LogEntry {
  id: string;
  created: string;
  level: number;
  message: string;
  data: Record<string, unknown>;
}

async function logPage(instance: PocketBaseInstance, token: string, query: Record<string, string>) {
  const response = await fetch(`${instance.url}/api/logs?${new URLSearchParams(query)}`, { headers: { authorization: token } });
  if (!response.ok) throw new Error(`GET /api/logs answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { items: LogEntry[]; totalPages: number };
}

// Every entry for what the instance did so far, oldest first. Restarts the instance.
export async function allLogs(instance: PocketBaseInstance): Promise<LogEntry[]> {
  await instance.stop();
  await instance.restart();
  const token = await instance.superuserToken();
  const entries: LogEntry[] = [];
  for (let page = 1, totalPages = 1; page <= totalPages; page++) {
    const result = await logPage(instance, token, { page: String(page), perPage: "1000", sort: "created,id" });
    entries.push(...result.items);
    totalPages = result.totalPages;
  }
  return entries;
}
