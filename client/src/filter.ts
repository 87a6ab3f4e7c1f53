// PocketBase's pb.filter() (JS SDK 0.28.1), with the same escaping: `{:name}` placeholders are replaced
// in one pass, so a value that itself holds `{:other}` is never substituted again. Strings are
// JSON-quoted; numbers and booleans written as they are; null and undefined as null; a Date in
// PocketBase's datetime format; an array or object as a quoted JSON string.

/**
 * Binds `params` into a filter expression: `bai.filter("title ~ {:title} && created >= {:since}", { title, since })`.
 */
export function filter(raw: string, params?: Record<string, unknown>): string {
  if (!params) return raw;
  const placeholders: Record<string, unknown> = {};
  for (const key in params) placeholders["{:" + key + "}"] = params[key];
  const pattern = Object.keys(placeholders).map(escapeRegExp).join("|");
  if (!pattern) return raw;
  return raw.replace(new RegExp(pattern, "g"), (match) => stringify(placeholders[match]));
}

function stringify(value: unknown): string {
  switch (typeof value) {
    case "boolean":
    case "number":
      return "" + value;
    case "string":
      return JSON.stringify(value);
    default: {
      if (value == null) return "null";
      if (value instanceof Date) return JSON.stringify(value.toISOString().replace("T", " "));
      const stringified: string = JSON.stringify(value);
      // An array or object is compared as a JSON string.
      if (stringified.startsWith("[") || stringified.startsWith("{")) return JSON.stringify(stringified);
      return stringified;
    }
  }
}

// RegExp.escape, which the JS SDK uses, is missing from WeChat's JS engines: the SDK's own fallback.
function escapeRegExp(text: string): string {
  return text.replace(/[/\-\\^$*+?.()|[\]{}]/g, "\\$&");
}
