// POST /api/wechat/records/{collection}/{id}: PocketBase's own record update, for wx.request,
// which has no PATCH (and wx.uploadFile, which always POSTs multipart/form-data).
//
// Rather than re-implement PocketBase's update (rules with @request.body and @request.auth,
// hidden and system fields, field modifiers, file uploads, the manage rule, the hooks, realtime,
// expand/fields, the collection's body limit and rate limit), the request is handed, as a PATCH
// to /api/collections/{collection}/records/{id}, to the very http.Handler the server serves every
// request with: PocketBase's own router, captured when the server starts (jsvm has no onServe, so
// pb_hooks/bai_wechat_auth.pb.js binds to $app.onServe() from its own VM, once). It runs that
// route's whole chain exactly as for a native PATCH, global middlewares included (auth from the
// Authorization header, our revoked-token check, the collection's rate limit and body limit,
// the activity log), and writes PocketBase's own answer, status and body, straight to the client.
// So a rule of null (superusers only) is refused by the same code that refuses a native PATCH.
//
// Why not a loopback $http.send PATCH to our own listen address: the client's IP would become
// 127.0.0.1 (one rate-limit bucket for everyone, and lost in the logs), $http.send carries a body
// only as a string (multipart file bytes would not survive), TLS and the listen address vary by
// deployment, and the request would hold a connection to ourselves while it waits.
//
// The copy of the request differs from the client's only in method, path and request URI; body,
// headers, query, remote address and TLS state are the client's. Go's server removes the temp
// files of a multipart form it parsed on the client's request only, so the copy's are removed here.
import { appStore } from "../app-store";
import { logError } from "../log";

const SERVER_KEY = "bai.httpServer";

// onServe, once the router is built: the server whose Handler serves every request.
export function rememberServer(e: core.ServeEvent): void {
  appStore().set(SERVER_KEY, e.server);
}

export function recordsApiPath(collection: string, id: string): { path: string; rawPath: string } {
  return {
    path: `/api/collections/${collection}/records/${id}`,
    rawPath: `/api/collections/${encodeURIComponent(collection)}/records/${encodeURIComponent(id)}`,
  };
}

export function updateRecord(e: core.RequestEvent): void {
  const server = appStore().get(SERVER_KEY) as http.Server | undefined;
  const handler = server?.handler;
  if (!handler) {
    logError("The records route has no server to hand its request to", new Error("onServe did not run"));
    return e.json(500, { status: 500, message: "Something went wrong while processing your request.", data: {} });
  }
  const original = e.request!;
  const patch = original.clone(original.context());
  const { path, rawPath } = recordsApiPath(original.pathValue("collection"), original.pathValue("id"));
  patch.method = "PATCH";
  patch.url!.path = path;
  patch.url!.rawPath = rawPath;
  patch.requestURI = patch.url!.requestURI();
  try {
    handler.serveHTTP(e.response, patch);
  } finally {
    patch.multipartForm?.removeAll();
  }
}
