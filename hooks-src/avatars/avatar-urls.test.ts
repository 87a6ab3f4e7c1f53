import { describe, expect, it } from "vitest";
import { avatarUrlOf, isUnderOurFiles, normalizeUrl, parseAvatarUrl } from "./avatar-urls";

const avatar = { recordId: "abcdefghij12345", filename: "avatar_k3j4h5g6f7.jpg" };

describe("avatar URLs", () => {
  it("are built on the Application URL, with or without a trailing slash", () => {
    expect(avatarUrlOf("https://mp.example.com/pb", avatar)).toBe("https://mp.example.com/pb/api/files/tbl_user_avatars/abcdefghij12345/avatar_k3j4h5g6f7.jpg");
    expect(avatarUrlOf("https://mp.example.com/pb/", avatar)).toBe(avatarUrlOf("https://mp.example.com/pb", avatar));
  });

  it("parse back to the record and file they name", () => {
    expect(parseAvatarUrl("https://mp.example.com/pb", avatarUrlOf("https://mp.example.com/pb", avatar))).toEqual(avatar);
  });

  it.each([
    ["another host", "https://evil.example.com/pb/api/files/tbl_user_avatars/abcdefghij12345/avatar_k3j4h5g6f7.jpg"],
    ["another collection", "https://mp.example.com/pb/api/files/tbl_company/abcdefghij12345/avatar_k3j4h5g6f7.jpg"],
    ["a thumb variant", "https://mp.example.com/pb/api/files/tbl_user_avatars/abcdefghij12345/avatar_k3j4h5g6f7.jpg?thumb=100x100"],
    ["a path that climbs", "https://mp.example.com/pb/api/files/tbl_user_avatars/abcdefghij12345/../x.jpg"],
    ["a short record id", "https://mp.example.com/pb/api/files/tbl_user_avatars/abc/avatar_k3j4h5g6f7.jpg"],
    ["another extension", "https://mp.example.com/pb/api/files/tbl_user_avatars/abcdefghij12345/avatar_k3j4h5g6f7.svg"],
  ])("are not ours when on %s", (_, url) => {
    expect(parseAvatarUrl("https://mp.example.com/pb", url)).toBeNull();
  });

  it("claim everything under the instance's files path", () => {
    expect(isUnderOurFiles("https://mp.example.com/pb/", "https://mp.example.com/pb/api/files/tbl_company/x/y.png")).toBe(true);
    expect(isUnderOurFiles("https://mp.example.com/pb", "https://cdn.example.com/a.png")).toBe(false);
  });

  it("claim every spelling of a URL under the instance's files path", () => {
    const url = avatarUrlOf("https://mp.example.com/pb", avatar);
    for (const spelling of [
      url.replace("mp.example.com", "MP.Example.COM"),
      url.replace("/pb/", "/pb/./"),
      url.replace("/pb/", "/pb/x/../"),
      url.replace("/pb/", "/pb/x/%2E%2E/"),
      url.replace("mp.example.com", "mp.example.com:443"),
      url.replace("/api/", "/%61pi/"),
      url.replace("/api/files/", "/api//files/"),
      url.replace("/tbl_user_avatars/", "/tbl_user_avatars%2f"),
      url.replace("https:", "http:"),
    ]) {
      expect(isUnderOurFiles("https://mp.example.com/pb", spelling), spelling).toBe(true);
      expect(parseAvatarUrl("https://mp.example.com/pb", spelling), spelling).toBeNull();
    }
    expect(isUnderOurFiles("https://MP.example.com:443/pb/", url)).toBe(true);
  });

  it.each([
    ["another port", "https://mp.example.com:8443/pb/api/files/x/y/z.png"],
    ["another prefix", "https://mp.example.com/pb2/api/files/x/y/z.png"],
    ["a path that climbs out of it", "https://mp.example.com/pb/api/files/../../x.png"],
    ["not http(s)", "ftp://mp.example.com/pb/api/files/x/y/z.png"],
  ])("do not claim %s", (_, url) => {
    expect(isUnderOurFiles("https://mp.example.com/pb", url)).toBe(false);
  });
});

describe("normalizeUrl (RFC 3986 §6.2.2, §6.2.3)", () => {
  it.each([
    ["scheme and host in lower case", "HTTP://www.Example.COM/Path", "http://www.example.com/Path"],
    ["unreserved characters decoded", "http://example.com/%7Esmith/%41%2d%5f%2E", "http://example.com/~smith/A-_."],
    ["other escapes' hex in upper case", "http://example.com/a%2fb%c3%a9?q=%3d#%2a", "http://example.com/a%2Fb%C3%A9?q=%3D#%2A"],
    ["dot segments removed", "http://example.com/a/b/c/./../../g", "http://example.com/a/g"],
    ["a trailing dot segment leaves the directory", "http://example.com/a/b/..", "http://example.com/a/"],
    ["no climbing above the root", "http://example.com/../../a", "http://example.com/a"],
    ["the default port dropped", "http://example.com:80/a", "http://example.com/a"],
    ["https' default port dropped", "https://example.com:443/a", "https://example.com/a"],
    ["an empty port dropped", "http://example.com:/a", "http://example.com/a"],
    ["a port's leading zeros dropped", "http://example.com:0080/a", "http://example.com/a"],
    ["another port kept", "http://example.com:8080/a", "http://example.com:8080/a"],
    ["an empty path made /", "http://example.com", "http://example.com/"],
    ["an empty path before a query made /", "http://example.com?x", "http://example.com/?x"],
    ["userinfo kept", "http://User@Example.com/", "http://User@example.com/"],
  ])("%s", (_, url, normalized) => {
    expect(normalizeUrl(url)).toBe(normalized);
    expect(normalizeUrl(normalized)).toBe(normalized);
  });

  it.each(["ftp://example.com/", "mailto:a@example.com", "/relative/path", "http:/example.com", "http://example.com:99999999999999999999/"])("gives nothing for %s", (url) => {
    expect(normalizeUrl(url)).toBeNull();
  });
});
