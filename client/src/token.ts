// Reads a PocketBase token's `exp` and decides when to renew it. There is no atob in a mini-program,
// so base64url is decoded by hand.

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeBase64Url(input: string): string {
  let buffer = 0;
  let bufferedBits = 0;
  let percentEncoded = "";
  for (const character of input.replace(/=+$/, "")) {
    const sextet = BASE64URL_ALPHABET.indexOf(character);
    if (sextet < 0) throw new Error("not base64url");
    buffer = ((buffer << 6) | sextet) & 0xffffff;
    bufferedBits += 6;
    if (bufferedBits >= 8) {
      bufferedBits -= 8;
      percentEncoded += "%" + ((buffer >> bufferedBits) & 0xff).toString(16).padStart(2, "0");
    }
  }
  return decodeURIComponent(percentEncoded);
}

function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The token's `exp` claim in seconds since the epoch, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  const exp = tokenClaims(token).exp;
  return typeof exp === "number" && isFinite(exp) ? exp : null;
}

/** The id of the record the token was issued to (its `id` claim), "" when there is none. */
export function tokenRecordId(token: string): string {
  const id = tokenClaims(token).id;
  return typeof id === "string" ? id : "";
}

/**
 * True once the token is within its renewal margin: `marginSeconds` before `exp`, but never more than
 * half the lifetime it had when it was saved, so a short-lived token is not renewed on every call.
 * A token whose `exp` cannot be read is never renewed early; the server's 401 decides for it.
 */
export function isRenewalDue(token: string, savedAtMs: number, nowMs: number, marginSeconds: number): boolean {
  const exp = tokenExpiry(token);
  if (exp === null) return false;
  const lifetimeSeconds = Math.max(exp - savedAtMs / 1000, 0);
  const margin = Math.min(marginSeconds, lifetimeSeconds / 2);
  return nowMs / 1000 >= exp - margin;
}
