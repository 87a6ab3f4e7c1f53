// Query strings serialized as PocketBase's JS SDK does (serializeQueryParams): an array repeats its
// key, a Date is written in PocketBase's datetime format, another object as JSON, and null or
// undefined leaves the key out.

export type QueryParams = Record<string, unknown>;

export function queryString(query: QueryParams | undefined): string {
  if (!query) return "";
  const pairs: string[] = [];
  for (const key of Object.keys(query)) {
    const values: unknown[] = Array.isArray(query[key]) ? (query[key] as unknown[]) : [query[key]];
    for (const value of values) {
      const encoded = encodeQueryValue(value);
      if (encoded !== null) pairs.push(`${encodeURIComponent(key)}=${encoded}`);
    }
  }
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

function encodeQueryValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return encodeURIComponent(value.toISOString().replace("T", " "));
  if (typeof value === "object") return encodeURIComponent(JSON.stringify(value));
  return encodeURIComponent(String(value));
}

// Options PocketBase's SDK does not send as query parameters (its knownSendOptionsKeys, and getFullList's batch).
const SEND_OPTION_KEYS = ["query", "headers", "body", "method", "fetch", "signal", "requestKey", "$cancelKey", "$autoCancel", "batch"];

/** The query of a PocketBase SDK options object: its `query`, then every key that is not a send option. */
export function queryOfOptions(options: Record<string, unknown>): QueryParams {
  const query: QueryParams = { ...(options.query as QueryParams | undefined) };
  for (const key of Object.keys(options)) if (SEND_OPTION_KEYS.indexOf(key) < 0) query[key] = options[key];
  return query;
}
