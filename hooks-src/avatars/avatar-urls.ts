// The public URL of a stored avatar, built on the instance's Application URL (Settings →
// Application → Application URL; behind the /pb proxy "https://<host>/pb"), so that it works
// in an <image src> through the proxy, without an Authorization header.
export const AVATARS_COLLECTION = "tbl_user_avatars";

export interface AvatarReference {
  recordId: string;
  filename: string;
}

const RECORD_ID = /^[a-z0-9]{15}$/;
const FILENAME = /^[A-Za-z0-9_-]+\.(jpg|png|webp|gif)$/;

export function applicationBaseUrl(appUrl: string): string {
  return appUrl.trim().replace(/\/+$/, "");
}

// What every avatar URL made on this Application URL starts with.
export function avatarUrlPrefix(appUrl: string): string {
  return `${applicationBaseUrl(appUrl)}/api/files/${AVATARS_COLLECTION}/`;
}

export function avatarUrlOf(appUrl: string, avatar: AvatarReference): string {
  return `${avatarUrlPrefix(appUrl)}${avatar.recordId}/${avatar.filename}`;
}

// Anything under this instance's files path is claimed as ours: it must then be exactly an
// avatar URL as the upload answered it, or the profile refuses it. So no variant (a ?thumb=,
// another collection's file, another user's avatar spelled differently) can slip past the
// "mark it used" step and be swept later, or show someone else's face.
//
// However it is spelled: the URLs are compared as normalizeUrl leaves them, and beyond RFC 3986
// as the path reaches PocketBase: nginx decodes every %XX and merges "//" before it forwards,
// and Go's router redirects a path with "//" or dot segments to the clean one. The scheme is
// not compared: a host that serves https commonly answers http with a redirect.
export function isUnderOurFiles(appUrl: string, url: string): boolean {
  const location = routedLocation(url);
  const files = routedLocation(`${applicationBaseUrl(appUrl)}/api/files/`);
  return location !== null && files !== null && location.startsWith(files);
}

function routedLocation(url: string): string | null {
  const normalized = normalizeUrl(url);
  const parts = normalized === null ? null : URL_PARTS.exec(normalized);
  if (!parts) return null;
  const path = removeDotSegments(parts[3].replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/\/{2,}/g, "/"));
  return `${parts[2]}${path}${parts[4] ?? ""}`;
}

// scheme, authority, path, query, fragment (RFC 3986 appendix B, for URLs with an authority).
const URL_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/;
const AUTHORITY_PARTS = /^((?:[^@]*@)?)(\[[^\]]*\]|[^:]*)(?::([0-9]*))?$/;
const DEFAULT_PORTS: Record<string, string> = { http: "80", https: "443" };
const UNRESERVED = /[A-Za-z0-9._~-]/;

// RFC 3986's syntax-based (§6.2.2) and scheme-based (§6.2.3) normalization of an http(s) URL:
// scheme and host in lower case; %XX of an unreserved character decoded, other escapes' hex
// in upper case; dot segments removed; the scheme's default port, or an empty one, dropped; an
// empty path made "/". Two URLs that normalize alike name the same resource. null for anything
// but an http(s) URL with an authority.
export function normalizeUrl(url: string): string | null {
  const parts = URL_PARTS.exec(url);
  const scheme = parts?.[1].toLowerCase() ?? "";
  const authority = parts ? AUTHORITY_PARTS.exec(parts[2]) : null;
  if (!parts || !authority || !(scheme in DEFAULT_PORTS)) return null;
  const [, userinfo, host, port = ""] = authority;
  const portNumber = Number(port);
  if (port !== "" && !(portNumber <= 65535)) return null;
  const keptPort = port === "" || String(portNumber) === DEFAULT_PORTS[scheme] ? "" : `:${portNumber}`;
  const path = removeDotSegments(normalizePercentEncoding(parts[3])) || "/";
  const query = parts[4] === undefined ? "" : normalizePercentEncoding(parts[4]);
  const fragment = parts[5] === undefined ? "" : normalizePercentEncoding(parts[5]);
  return `${scheme}://${normalizePercentEncoding(userinfo)}${normalizePercentEncoding(host).toLowerCase()}${keptPort}${path}${query}${fragment}`;
}

function normalizePercentEncoding(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : escape.toUpperCase();
  });
}

// RFC 3986 §5.2.4, for an absolute (or empty) path.
function removeDotSegments(path: string): string {
  const segments = path.split("/");
  const output: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "." || segment === "..") {
      if (segment === ".." && output.length > 1) output.pop();
      if (last) output.push("");
    } else {
      output.push(segment);
    }
  });
  return output.join("/");
}

export function parseAvatarUrl(appUrl: string, url: string): AvatarReference | null {
  const prefix = avatarUrlPrefix(appUrl);
  if (!url.startsWith(prefix)) return null;
  const parts = url.slice(prefix.length).split("/");
  if (parts.length !== 2 || !RECORD_ID.test(parts[0]) || !FILENAME.test(parts[1])) return null;
  return { recordId: parts[0], filename: parts[1] };
}
