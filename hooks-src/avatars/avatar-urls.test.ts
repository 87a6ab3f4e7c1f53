import { describe, expect, it } from "vitest";
import { avatarUrlOf, isUnderOurFiles, parseAvatarUrl } from "./avatar-urls";

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
});
