// Log lines go through redact(): WeChat URLs carry the secret, access tokens and codes.
const SECRET_PARAMETERS = /\b(secret|access_token|js_code|session_key|code|token)(=|"\s*:\s*")[^&\s"]*/gi;
const BEARER_TOKEN = /\bBearer\s+[A-Za-z0-9._-]+/gi;
const PHONE_NUMBER = /(?<![0-9])(\+?\d{3})\d{4}(\d{4})(?![0-9])/g;

export function redact(text: string): string {
  return text.replace(SECRET_PARAMETERS, "$1$2***").replace(BEARER_TOKEN, "Bearer ***").replace(PHONE_NUMBER, "$1****$2");
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function logError(message: string, error: unknown): void {
  $app.logger().error(redact(message), "error", redact(describeError(error)));
}

export function logWarning(message: string): void {
  $app.logger().warn(redact(message));
}
