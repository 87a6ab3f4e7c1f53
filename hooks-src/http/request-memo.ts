// Parts of the request that several modules read, read from Go once per request. Every read of
// e.request or call of e.realIP() goes into Go and wraps its answer anew: 4 k instructions for
// e.request, 12 k for e.realIP() (counted under callgrind), and a login read them six times.
// A VM serves one request at a time, and each request's `e` is a JS object of its own; the
// last one is kept until the VM's next request.
let current: core.RequestEvent | undefined;
let request: http.Request | undefined;
let header: http.Header | undefined;
let clientIp: string | undefined;

function startReading(e: core.RequestEvent): void {
  current = e;
  request = undefined;
  header = undefined;
  clientIp = undefined;
}

export function requestOf(e: core.RequestEvent): http.Request {
  if (e !== current) startReading(e);
  return (request ??= e.request!);
}

export function requestHeaderOf(e: core.RequestEvent): http.Header {
  if (e !== current) startReading(e);
  return (header ??= (request ??= e.request!).header);
}

// The client as PocketBase sees it, through the proxy headers set in Settings → Application.
export function clientIpOf(e: core.RequestEvent): string {
  if (e !== current) startReading(e);
  return (clientIp ??= e.realIP());
}
