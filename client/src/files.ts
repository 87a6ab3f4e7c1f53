// URLs of record files, built as PocketBase's pb.files.getURL() builds them, for <image src="…">.
import type { Session } from "./client";
import { queryString, type QueryParams } from "./query";

export interface FileOptions {
  [key: string]: any;
  /** A thumb size the field allows, e.g. "100x100". */
  thumb?: string;
  /** Served as an attachment. */
  download?: boolean;
  /** For a protected file: from files.getToken(). */
  token?: string;
}

export function fileService(session: Session) {
  return {
    /** `{baseUrl}/api/files/{collection}/{record id}/{filename}?thumb=…`; "" without a filename, id or collection. */
    getURL(record: { [key: string]: any }, filename: string, options: FileOptions = {}): string {
      const collection = record && (record.collectionId || record.collectionName);
      if (!filename || !record || !record.id || !collection) return "";
      const query: QueryParams = { ...options };
      if (query.download === false) delete query.download;
      return session.urlOf("/api/files/" + [collection, record.id, filename].map(encodeURIComponent).join("/")) + queryString(query);
    },

    /** A short-lived token for protected files (POST /api/files/token). */
    async getToken(): Promise<string> {
      const answer = await session.request<{ token?: string }>("/api/files/token", { method: "POST" });
      return (answer && answer.token) || "";
    },
  };
}
