// A deadline for the rest of a request to arrive. PocketBase's server allows 5 minutes for the
// whole request (ReadTimeout in apis/serve.go, sized for large uploads), and our route's JS VM is
// taken as soon as the headers are in: a client that sends headers and then trickles or stalls
// its body would hold that VM, with its buffers, for those 5 minutes. Past this deadline a read of
// the body fails at once (an i/o timeout), and Go's server closes the connection after our answer.
//
// e.response is PocketBase's router.ResponseWriter, whose Unwrap() chain (through any wrapper,
// such as the gzip middleware's) ends at net/http's own writer; its SetReadDeadline is the one
// http.ResponseController calls. The deadline applies to this request only: Go's server sets the
// connection's deadlines afresh when it reads the next request. A handler still running past it
// has its request's context cancelled (Go's background read times out); nothing of ours uses it.
import { logWarning } from "../log";

interface DeadlineWriter {
  setReadDeadline?: (deadline: unknown) => void;
  unwrap?: () => DeadlineWriter;
}

export function limitBodyReadTime(e: core.RequestEvent, seconds: number): void {
  let writer = e.response as unknown as DeadlineWriter | undefined;
  for (let depth = 0; writer && depth < 8; depth++) {
    if (typeof writer.setReadDeadline === "function") {
      writer.setReadDeadline(new DateTime().add((seconds * 1e9) as unknown as time.Duration).time());
      return;
    }
    writer = typeof writer.unwrap === "function" ? writer.unwrap() : undefined;
  }
  logWarning("Cannot set a read deadline on this request: a stalled body waits for PocketBase's own ReadTimeout");
}

// What reading the body throws once the deadline has passed.
export function isReadTimeout(error: unknown): boolean {
  return /i\/o timeout|deadline exceeded/i.test(String(error));
}
