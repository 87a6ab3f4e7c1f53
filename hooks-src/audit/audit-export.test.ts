import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import { CSV_HEADER, csvCell, csvLine, jsonRow, parseExportTime, readExportRequest } from "./audit-export";

const row = { id: "abc", created: "2026-11-01 02:00:00.000Z", event: "login_failed", users_id: "U202611010001", pb_id: "p1", by: "user", ip: "203.0.113.9", staff: "", details: { status: 403, reason: "账号已被禁用,请联系管理员" } };

describe("parseExportTime", () => {
  it("reads a bare day as midnight, Beijing time, and a time only with its offset", () => {
    expect(parseExportTime("2026-11-01")!.toISOString()).toBe("2026-10-31T16:00:00.000Z");
    expect(parseExportTime("2026-11-01T08:30:00+08:00")!.toISOString()).toBe("2026-11-01T00:30:00.000Z");
    expect(parseExportTime("2026-11-01T00:00:00.5Z")!.toISOString()).toBe("2026-11-01T00:00:00.500Z");
    for (const bad of ["2026-11-01T08:30:00", "yesterday", "1730419200", "2026-13-45", ""]) expect(parseExportTime(bad), bad).toBeNull();
  });
});

describe("readExportRequest", () => {
  const now = new Date("2026-11-22T00:00:00Z");
  const problems = (query: { from: string; to: string; format: string }) => {
    try {
      readExportRequest(query, now);
      return null;
    } catch (error) {
      return (error as ApiFailure).data;
    }
  };

  it("takes from, to (now by default) and the format (csv by default)", () => {
    expect(readExportRequest({ from: "2026-11-01", to: "", format: "" }, now)).toEqual({ from: new Date("2026-10-31T16:00:00Z"), to: now, format: "csv" });
    expect(readExportRequest({ from: "2026-11-01", to: "2026-11-02", format: "json" }, now).format).toBe("json");
  });

  it("names every field it cannot use", () => {
    expect(Object.keys(problems({ from: "", to: "", format: "" })!)).toEqual(["from"]);
    expect(Object.keys(problems({ from: "x", to: "y", format: "xml" })!)).toEqual(["from", "to", "format"]);
    expect(problems({ from: "2026-11-02", to: "2026-11-01", format: "" })).toEqual({ to: { code: "validation_invalid_value", message: "必须晚于 from" } });
  });
});

describe("CSV", () => {
  it("quotes what RFC 4180 needs quoted, and defuses what a spreadsheet would run as a formula", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@x")).toBe("'@x");
  });

  it("writes the columns of the header, details as JSON", () => {
    expect(CSV_HEADER).toBe("\uFEFFcreated,event,users_id,pb_id,by,ip,staff,details\r\n");
    expect(csvLine(row)).toBe('2026-11-01 02:00:00.000Z,login_failed,U202611010001,p1,user,203.0.113.9,,"{""status"":403,""reason"":""账号已被禁用,请联系管理员""}"\r\n');
  });

  it("gives JSON rows with every column", () => {
    expect(JSON.parse(jsonRow(row))).toEqual(row);
  });
});
