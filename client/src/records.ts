// PocketBase's records API, shaped like its JS SDK's RecordService so code reads the same on both
// sides: bai.collection("posts").getList(1, 20, { filter, sort, expand }).
//
// wx.request has no PATCH, so update() posts to BAI's POST /api/wechat/records/{collection}/{id},
// which runs PocketBase's own update (rules, validation, hooks, realtime) and answers as PocketBase does.
//
// Files: wx.uploadFile sends one file per request, so a create or update carries at most one
// wxFile(tempFilePath). Its field is the form's file part and the other fields travel as PocketBase's
// `@jsonPayload`, so numbers, booleans and JSON keep their types. Further files of a multi-file field
// are added by more updates: update(id, { "photos+": wxFile(path) }).
import { BaiClientError } from "./errors";
import type { Session } from "./client";
import { queryOfOptions, type QueryParams } from "./query";
import type { Realtime, RealtimeCallback, UnsubscribeFunc } from "./realtime";

export interface RecordModel {
  [key: string]: any;
  id: string;
  collectionId: string;
  collectionName: string;
  expand?: { [key: string]: any };
}

export interface ListResult<T> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

export interface RecordSubscription<T = RecordModel> {
  action: string;
  record: T;
}

/** PocketBase's own options; a key not listed here is sent as a query parameter, as in its SDK. */
export interface RecordOptions {
  [key: string]: any;
  fields?: string;
  expand?: string;
  query?: QueryParams;
  headers?: Record<string, string>;
}

export interface RecordListOptions extends RecordOptions {
  page?: number;
  perPage?: number;
  sort?: string;
  filter?: string;
  skipTotal?: boolean;
}

export interface RecordFullListOptions extends RecordListOptions {
  /** Records per request. Default 1000 (PocketBase's largest page). */
  batch?: number;
}

export interface RecordSubscribeOptions {
  [key: string]: any;
  fields?: string;
  filter?: string;
  expand?: string;
  query?: QueryParams;
  headers?: Record<string, string>;
}

/** A file chosen in the mini-program (a temporary path), to send as a record's file field. */
export class WxFile {
  constructor(readonly filePath: string) {}
}

export function wxFile(tempFilePath: string): WxFile {
  return new WxFile(tempFilePath);
}

export type RecordBody = Record<string, unknown>;

export function recordService<M = RecordModel>(session: Session, realtime: Realtime, collection: string) {
  const recordsPath = `/api/collections/${encodeURIComponent(collection)}/records`;
  const recordPath = (id: string) => `${recordsPath}/${encodeURIComponent(id)}`;

  async function send<T>(method: "GET" | "POST" | "DELETE", path: string, options: RecordOptions = {}, body?: RecordBody): Promise<T> {
    const query = queryOfOptions(options);
    const file = body ? fileIn(body) : null;
    if (file) {
      const formData: Record<string, string> = {};
      const others = withoutKey(body!, file.field);
      if (Object.keys(others).length > 0) formData["@jsonPayload"] = JSON.stringify(others);
      return session.upload({ url: session.urlOf(path, query), filePath: file.filePath, fieldName: file.field, formData }) as Promise<T>;
    }
    return session.request<T>(path, { method, query, body, headers: options.headers });
  }

  const service = {
    collectionName: collection,

    async getList<T = M>(page = 1, perPage = 30, options: RecordListOptions = {}): Promise<ListResult<T>> {
      const result = await send<ListResult<T>>("GET", recordsPath, { ...options, page, perPage });
      result.items = result.items || [];
      return result;
    },

    /** Every record, fetched `batch` at a time (default 1000). */
    async getFullList<T = M>(options: RecordFullListOptions = {}): Promise<T[]> {
      const batch = options.batch || 1000;
      let items: T[] = [];
      for (let page = 1; ; page++) {
        const list = await service.getList<T>(page, batch, { skipTotal: true, ...options });
        items = items.concat(list.items);
        if (list.items.length !== list.perPage) return items;
      }
    },

    /** The first record matching `filter`; rejects with a 404 when there is none, as getOne does. */
    async getFirstListItem<T = M>(filter: string, options: RecordListOptions = {}): Promise<T> {
      const list = await service.getList<T>(1, 1, { skipTotal: true, ...options, filter });
      if (list.items.length === 0) throw notFound(session.urlOf(recordsPath), "The requested resource wasn't found.");
      return list.items[0];
    },

    async getOne<T = M>(id: string, options?: RecordOptions): Promise<T> {
      if (!id) throw notFound(session.urlOf(recordsPath + "/"), "Missing required record id.");
      return send<T>("GET", recordPath(id), options);
    },

    /** POST /api/collections/{collection}/records; multipart through wx.uploadFile when the body holds a wxFile(). */
    create<T = M>(body: RecordBody, options?: RecordOptions): Promise<T> {
      return send<T>("POST", recordsPath, options, body);
    },

    /** POST /api/wechat/records/{collection}/{id}: PocketBase's update, as wx.request cannot send PATCH. */
    update<T = M>(id: string, body: RecordBody, options?: RecordOptions): Promise<T> {
      return send<T>("POST", `/api/wechat/records/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`, options, body);
    },

    async delete(id: string, options?: RecordOptions): Promise<boolean> {
      await send("DELETE", recordPath(id), options);
      return true;
    },

    /** Realtime changes of one record (its id) or of every record the rules let this user see ("*"). */
    subscribe<T = M>(topic: string, callback: (data: RecordSubscription<T>) => void, options?: RecordSubscribeOptions): Promise<UnsubscribeFunc> {
      if (!topic) throw new Error("Missing topic.");
      if (!callback) throw new Error("Missing subscription callback.");
      return realtime.subscribe(collection + "/" + topic, callback as RealtimeCallback, options);
    },

    /** Ends the subscriptions to `topic`, or to every topic of this collection. */
    unsubscribe(topic?: string): Promise<void> {
      return topic ? realtime.unsubscribe(collection + "/" + topic) : realtime.unsubscribeByPrefix(collection + "/");
    },
  };
  return service;
}

function fileIn(body: RecordBody): { field: string; filePath: string } | null {
  let found: { field: string; filePath: string } | null = null;
  for (const field of Object.keys(body)) {
    const value = body[field];
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((item) => item instanceof WxFile)) continue;
    if (found || values.length !== 1) throw new Error("wx.uploadFile sends one file per request: put one wxFile() in a create or update, and add more with update(id, { \"field+\": wxFile(path) })");
    found = { field, filePath: (values[0] as WxFile).filePath };
  }
  return found;
}

function withoutKey(body: RecordBody, key: string): RecordBody {
  const rest: RecordBody = {};
  for (const field of Object.keys(body)) if (field !== key) rest[field] = body[field];
  return rest;
}

function notFound(url: string, message: string): BaiClientError {
  return new BaiClientError({ url, status: 404, body: { status: 404, message, data: {} } });
}
