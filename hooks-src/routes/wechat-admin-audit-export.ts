import { audit } from "../audit/audit";
import { flushAuditEvents } from "../audit/audit-buffer";
import { auditEventsBetween } from "../audit/audit-events";
import { CSV_HEADER, csvLine, jsonRow, readExportRequest } from "../audit/audit-export";
import { auditFailures } from "../audit/audit-errors";
import { failures } from "../errors";
import { answer, requestedLanguage, sayLanguage } from "../http/responses";
import { successMessage } from "../languages/messages";

const PAGE = 1000;

// Superusers only: the audit trail of [from, to) as a CSV or JSON download, oldest first,
// streamed a page at a time. The export is itself an audit event.
export function auditExport(e: core.RequestEvent): void {
  answer(e, () => {
    if (!e.auth) throw e.request!.header.get("Authorization") === "" ? failures.missingToken() : failures.invalidToken();
    if (!e.hasSuperuserAuth()) throw auditFailures.superuserRequired();
    const query = e.request!.url!.query();
    const request = readExportRequest({ from: query.get("from"), to: query.get("to"), format: query.get("format") }, new Date());
    flushAuditEvents();
    const csv = request.format === "csv";
    const headers = e.response.header();
    headers.set("Content-Type", csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8");
    headers.set("Content-Disposition", `attachment; filename="bai-audit-${stamp(request.from)}-${stamp(request.to)}.${request.format}"`);
    headers.set("Cache-Control", "no-store");
    const language = requestedLanguage(e);
    sayLanguage(headers, language);
    e.response.writeHeader(200);
    e.response.write(csv ? CSV_HEADER : `{"code":200,"msg":${JSON.stringify(successMessage("导出成功", language))},"data":{"from":"${request.from.toISOString()}","to":"${request.to.toISOString()}","events":[`);
    let count = 0;
    for (let page = auditEventsBetween(request.from, request.to, PAGE); page.length > 0; ) {
      e.response.write(page.map((row, index) => (csv ? csvLine(row) : (count + index === 0 ? "" : ",") + jsonRow(row))).join(""));
      count += page.length;
      const last = page[page.length - 1];
      page = page.length < PAGE ? [] : auditEventsBetween(request.from, request.to, PAGE, last);
    }
    if (!csv) e.response.write("]}}");
    audit("audit_exported", null, { by: "staff", ip: e.realIP(), staff: e.auth.id }, { from: request.from.toISOString(), to: request.to.toISOString(), format: request.format, count });
  });
}

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
