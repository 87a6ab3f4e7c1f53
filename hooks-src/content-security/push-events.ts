// What we do with a verified push. Events we have no use for are acknowledged and dropped.
import { logWarning } from "../log";
import { applyMediaCheckVerdict, readMediaCheckVerdict } from "./media-check-verdicts";

export function handlePushMessage(message: Record<string, unknown>): void {
  if (message.Event !== "wxa_media_check") return;
  const verdict = readMediaCheckVerdict(message);
  if (!verdict) return logWarning("A wxa_media_check push without a trace_id or a verdict we can read");
  applyMediaCheckVerdict(verdict);
}
