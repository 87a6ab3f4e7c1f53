import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors";
import { readLogoutRequest } from "./logout";

describe("readLogoutRequest", () => {
  it.each([
    ["no body", null, "current"],
    ["an empty object", {}, "current"],
    ["a null scope", { scope: null }, "current"],
    ["current", { scope: "current" }, "current"],
    ["all", { scope: "all" }, "all"],
    ["other fields", { scope: "all", device: "pc" }, "all"],
  ])("reads %s as %s", (_, body, scope) => {
    expect(readLogoutRequest(body)).toEqual({ scope });
  });

  it.each([
    [{ scope: "ALL" }, "validation_invalid_value"],
    [{ scope: "" }, "validation_invalid_value"],
    [{ scope: "others" }, "validation_invalid_value"],
    [{ scope: 1 }, "validation_invalid_type"],
    [{ scope: ["all"] }, "validation_invalid_type"],
  ])("refuses %j with %s", (body, code) => {
    let failure: unknown;
    try {
      readLogoutRequest(body);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).status).toBe(400);
    expect((failure as ApiFailure).data).toEqual({ scope: { code, message: expect.any(String) } });
  });
});
