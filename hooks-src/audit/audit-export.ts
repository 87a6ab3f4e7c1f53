// Staff's export of the audit trail for a period (GET /api/wechat/admin/audit-export): the query,
// and each row as a CSV line or a JSON object. Pure functions; the route streams the rows.
import { failures, type FieldProblems } from "../errors";
import type { AuditRow } from "./audit-events";

export type ExportFormat = "csv" | "json";

export interface ExportRequest {
  from: Date;
  to: Date;
  format: ExportFormat;
}

export const CSV_COLUMNS = ["created", "event", "users_id", "pb_id", "by", "ip", "staff", "details"] as const;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const BEIJING = "+08:00";

// A day is taken at midnight, Beijing time; a time needs its offset (Z for UTC).
export function parseExportTime(value: string): Date | null {
  const text = DATE_ONLY.test(value) ? `${value}T00:00:00${BEIJING}` : DATE_TIME.test(value) ? value : null;
  if (text === null) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}

// from is required and included; to (excluded) defaults to now; format defaults to csv.
export function readExportRequest(query: { from: string; to: string; format: string }, now: Date): ExportRequest {
  const problems: FieldProblems = {};
  const invalidTime = { code: "validation_invalid_format", message: "必须是 YYYY-MM-DD(北京时间零点)或带时区的时间,如 2026-11-01T08:00:00+08:00" };
  const from = query.from === "" ? null : parseExportTime(query.from);
  if (query.from === "") problems.from = { code: "validation_required", message: "不能为空" };
  else if (!from) problems.from = invalidTime;
  const to = query.to === "" ? now : parseExportTime(query.to);
  if (!to) problems.to = invalidTime;
  else if (from && to.getTime() <= from.getTime()) problems.to = { code: "validation_invalid_value", message: "必须晚于 from" };
  const format = query.format === "" ? "csv" : query.format;
  if (format !== "csv" && format !== "json") problems.format = { code: "validation_invalid_value", message: "只能是 csv 或 json" };
  if (Object.keys(problems).length > 0) throw failures.invalidFields(problems);
  return { from: from!, to: to!, format: format as ExportFormat };
}

// RFC 4180 quoting; a cell that a spreadsheet would run as a formula gets a leading '.
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(row: AuditRow): string {
  return CSV_COLUMNS.map((column) => csvCell(column === "details" ? JSON.stringify(row.details) : row[column])).join(",") + "\r\n";
}

// A byte-order mark first: spreadsheet programs then read the Chinese text as UTF-8.
export const CSV_HEADER = "\uFEFF" + CSV_COLUMNS.join(",") + "\r\n";

export function jsonRow({ id, created, event, users_id, pb_id, by, ip, staff, details }: AuditRow): string {
  return JSON.stringify({ id, created, event, users_id, pb_id, by, ip, staff, details });
}
