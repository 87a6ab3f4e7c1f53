// The whole client: sign-in and profile (client.ts), plus PocketBase's records API, file URLs and
// realtime on the same session, so code reads as it would with PocketBase's own SDK.
import { createSession, type ClientOptions } from "./client";
import { fileService } from "./files";
import { filter } from "./filter";
import { createRealtime } from "./realtime";
import { recordService, type RecordModel } from "./records";

export type BaiClient = ReturnType<typeof createClient>;

export function createClient(options: ClientOptions) {
  const { client, internals } = createSession(options);
  const realtime = createRealtime(internals, options.realtime);
  return Object.assign(client, {
    /** PocketBase's records API for one collection: getList, getFullList, getFirstListItem, getOne, create, update, delete, subscribe. */
    collection: <M = RecordModel>(name: string) => recordService<M>(internals, realtime, name),
    /** Record file URLs (getURL) and file tokens (getToken). */
    files: fileService(internals),
    /** Binds parameters into a filter expression, escaped as PocketBase's SDK does. */
    filter,
    /** Realtime subscriptions to any topic; collection(name).subscribe is the usual way in. */
    realtime,
  });
}
