// Validates real responses against spec/openapi.yaml: the response body must match the
// schema of its (path, method, status) entry, and undocumented statuses fail.
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../../scripts/pocketbase.mjs";
import type { ApiResponse } from "./api";

export const spec = parse(readFileSync(join(projectRoot, "spec/openapi.yaml"), "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...spec, $id: "openapi.json" });

function resolve(node: any): any {
  while (node && typeof node.$ref === "string") {
    const path = node.$ref.replace(/^#\//, "").split("/").map((part: string) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    node = path.reduce((current: any, key: string) => current?.[key], spec);
  }
  return node;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

// The spec's path for a URL path: itself, or the template it fills ("/api/wechat/records/{collection}/{id}").
function specPathOf(urlPath: string): string {
  if (spec.paths?.[urlPath]) return urlPath;
  const templates = Object.keys(spec.paths ?? {}).filter((template) => template.includes("{"));
  return templates.find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(urlPath)) ?? urlPath;
}

export function contractProblems(urlPath: string, method: string, response: ApiResponse): string[] {
  const path = specPathOf(urlPath);
  const operation = spec.paths?.[path]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${path} is not in the spec`];
  const status = String(response.status);
  const documented = resolve(operation.responses?.[status]);
  if (!documented) return [`${method} ${path} answered ${status}, which the spec does not document`];
  const media = documented.content?.["application/json"];
  if (!media?.schema) return [];
  if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) return ["content-type is not application/json"];
  // Validate through a $ref into the spec, so that nested $refs resolve.
  let schemaRef = `openapi.json#/${pointer("paths", path, method.toLowerCase(), "responses", status)}/content/application~1json/schema`;
  if (operation.responses[status].$ref) schemaRef = `openapi.json#/${operation.responses[status].$ref.slice(2)}/content/application~1json/schema`;
  const validate = ajv.getSchema(schemaRef);
  if (!validate) return [`cannot compile the schema at ${schemaRef}`];
  if (validate(response.body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(body)"} ${error.message} ${JSON.stringify(error.params)}`);
}
