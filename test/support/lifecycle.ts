// Staff's side of the account lifecycle: run a cron job now, as Settings → Crons → Run does
// (PocketBase's superuser-only POST /api/crons/{id}, the job registered for production), and
// wait for what it does, since PocketBase runs the job in the background.
import { superuserToken } from "../../scripts/pocketbase-process.mjs";

export async function runCronJob(baseUrl: string, id: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/crons/${id}`, { method: "POST", headers: { authorization: await superuserToken(baseUrl) } });
  if (response.status !== 204) throw new Error(`running cron job ${id} answered ${response.status}: ${await response.text()}`);
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// A PocketBase date a minute ago: a cooling-off period that has just ended.
export const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString().replace("T", " ");
