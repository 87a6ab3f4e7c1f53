// POST /api/wechat/avatar and the avatar's life: upload as wx.uploadFile sends it, use in a
// profile, replacement, expiry, limits. Against the real PocketBase and its file storage.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/admin";
import { api, validProfile } from "../support/api";
import {
  commentSegment,
  concat,
  exifSegment,
  gifApplication,
  gifComment,
  gifSample,
  jfifSegment,
  jpegSample,
  jpegSegment,
  pngChunk,
  pngSample,
  riffChunk,
  vp8xChunk,
  vp8Chunk,
  webpFile,
  WEBP_FLAGS,
  xmpSegment,
} from "../../hooks-src/avatars/image-samples";
import { filePart, images, png, sendUpload, uploadAvatar, wxUploadFileBody } from "../support/avatars";
import { errorBody, failures, fieldProblem } from "../support/responses";
import { simulator, uniqueName } from "../support/wechat";

const client = api();
const wechat = simulator(inject("simulatorUrl"));
let admin: Awaited<ReturnType<typeof adminClient>>;
let originalAppUrl: string;

const MAX_AVATAR_BYTES = 2 * 1024 * 1024;
const avatarsOf = (userId: string) => admin.pb.collection("tbl_user_avatars").getFullList({ filter: admin.pb.filter("user = {:userId}", { userId }), sort: "created" });
const fetchWithoutAuth = (url: string) => fetch(url, { headers: {} });

async function uploaded(token: string, image: Buffer = images.png): Promise<string> {
  const response = await uploadAvatar(token, [filePart(image)]);
  expect(response.status, response.text).toBe(200);
  return response.body.data.url as string;
}

async function runAvatarSweep(): Promise<void> {
  const response = await fetch(`${client.baseUrl}/api/crons/bai_avatar_sweep`, { method: "POST", headers: { authorization: admin.pb.authStore.token } });
  expect(response.status).toBe(204);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  admin = await adminClient();
  const settings = await admin.pb.settings.getAll();
  originalAppUrl = settings.meta.appURL;
  // What ops set (behind the proxy: https://<host>/pb); here the instance itself.
  await admin.pb.settings.update({ meta: { appURL: client.baseUrl } });
});

afterAll(async () => {
  await admin.pb.settings.update({ meta: { appURL: originalAppUrl } });
});

describe("POST /api/wechat/avatar", () => {
  it("stores an image sent as wx.uploadFile sends it, and its URL serves it without a token", async () => {
    const { token, user } = await client.signIn(uniqueName("avatar"));
    const response = await uploadAvatar(token, [{ name: "nickname", content: "ignored formData" }, filePart(images.png, "tmp_4f1a2b.png", "image/png")]);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ code: 200, msg: "头像上传成功", data: { url: expect.stringMatching(/\/api\/files\/tbl_user_avatars\/[a-z0-9]{15}\/avatar_[a-z0-9]{10}\.png$/) } });
    expect(response.body.data.url.startsWith(`${client.baseUrl}/api/files/`)).toBe(true);
    const image = await fetchWithoutAuth(response.body.data.url);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await image.arrayBuffer()).equals(images.png)).toBe(true);

    expect((await admin.users.getOne(user.pb_id)).users_picture).toBe("");
    expect(await avatarsOf(user.pb_id)).toEqual([expect.objectContaining({ status: "待使用", media_check: expect.any(String) })]);
  });

  it.each([
    ["JPEG", images.jpeg, "jpg"],
    ["WebP", images.webp, "webp"],
    ["GIF", images.gif, "gif"],
  ])("accepts %s, named by its content", async (_, image, extension) => {
    const { token } = await client.signIn(uniqueName("avatar"));
    const url = await uploaded(token, image);
    expect(url.endsWith(`.${extension}`)).toBe(true);
    expect(Buffer.from(await (await fetchWithoutAuth(url)).arrayBuffer()).equals(image)).toBe(true);
  });

  it("goes by the content, not the file name or the declared type", async () => {
    const { token } = await client.signIn(uniqueName("avatar"));
    const response = await uploadAvatar(token, [filePart(images.png, "photo.gif", "application/octet-stream")]);
    expect(response.body.data.url.endsWith(".png")).toBe(true);
  });

  it("builds the URL on the Application URL setting, so it works behind the /pb proxy", async () => {
    const { token } = await client.signIn(uniqueName("avatar"));
    await admin.pb.settings.update({ meta: { appURL: "https://mp.example.com/pb/" } });
    try {
      expect(await uploaded(token)).toMatch(/^https:\/\/mp\.example\.com\/pb\/api\/files\/tbl_user_avatars\//);
    } finally {
      await admin.pb.settings.update({ meta: { appURL: client.baseUrl } });
    }
  });

  it("accepts an image at the bounds: 2048 pixels a side, 20 times longer than wide", async () => {
    const { token } = await client.signIn(uniqueName("avatar"));
    await uploaded(token, Buffer.from(jpegSample(2048, 2048)));
    await uploaded(token, Buffer.from(pngSample(2040, 2040 / 20)));
  });

  it("serves the thumbnails the admin UI shows", async () => {
    const { token } = await client.signIn(uniqueName("avatar"));
    const url = await uploaded(token, png(400, 300));
    const thumb = await fetchWithoutAuth(`${url}?thumb=100x100`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await thumb.arrayBuffer());
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([100, 100]);
  });

  it("makes no thumbnail of a size the collection does not list: PocketBase serves the original", async () => {
    const { token } = await client.signIn(uniqueName("avatar"));
    const original = png(40, 30);
    const url = await uploaded(token, original);
    for (const size of ["20000x20000", "0x20000", "2048x2048", "300x300f", "100x100t"]) {
      const response = await fetchWithoutAuth(`${url}?thumb=${size}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(original), size).toBe(true);
    }
    const collection = await admin.pb.collections.getOne("tbl_user_avatars");
    expect(collection.fields.find((field: { name: string }) => field.name === "image").thumbs).toEqual(["100x100", "300x300"]);
  });

  describe("refuses, storing nothing", () => {
    const bigPng = Buffer.concat([images.png.subarray(0, 16), Buffer.alloc(MAX_AVATAR_BYTES - 15)]);
    it.each([
      ["a text file named .png and declared image/png", [filePart("hello, not an image at all", "a.png", "image/png")], fieldProblem("file", "validation_invalid_image")],
      ["an SVG", [filePart('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg", "image/svg+xml")], fieldProblem("file", "validation_invalid_image")],
      ["HTML declared as JPEG", [filePart("<!DOCTYPE html><html><script>alert(1)</script></html>", "a.jpg")], fieldProblem("file", "validation_invalid_image")],
      ["a BMP", [filePart(Buffer.concat([Buffer.from("BM"), Buffer.alloc(64)]), "a.bmp", "image/bmp")], fieldProblem("file", "validation_invalid_image")],
      ["an empty file", [filePart(Buffer.alloc(0))], fieldProblem("file", "validation_required")],
      ["a body without the file part", [{ name: "user", content: "test" }], fieldProblem("file", "validation_required")],
      ["the file under another name", [{ ...filePart(images.png), name: "image" }], fieldProblem("file", "validation_required")],
      ["two files", [filePart(images.png), filePart(images.gif)], fieldProblem("file", "validation_too_many_files")],
      ["an image one byte over 2 MB", [filePart(bigPng)], { code: 413, msg: "头像文件过大,上限 2 MB", data: {} }],
      // An image bomb: 48 KB of PNG that would take PocketBase 1.9 GB to make a thumbnail of.
      ["a PNG that declares 20000×20000 pixels", [filePart(Buffer.from(pngSample(20000, 20000)), "a.png", "image/png")], fieldProblem("file", "validation_image_dimensions")],
      ["a JPEG 2049 pixels wide", [filePart(Buffer.from(jpegSample(2049, 1024)))], fieldProblem("file", "validation_image_dimensions")],
      ["a WebP whose canvas is 16383×16383", [filePart(Buffer.from(webpFile(vp8xChunk(16383, 16383), vp8Chunk(16383, 16383))))], fieldProblem("file", "validation_image_dimensions")],
      ["a GIF strip of 1×100 pixels", [filePart(Buffer.from(gifSample({ width: 1, height: 100 })))], fieldProblem("file", "validation_image_dimensions")],
      ["a PNG cut off inside its header", [filePart(images.png.subarray(0, 24))], fieldProblem("file", "validation_invalid_image")],
      ["a JPEG without a frame header", [filePart(Buffer.from(concat([0xff, 0xd8], jfifSegment(), [0xff, 0xd9])))], fieldProblem("file", "validation_invalid_image")],
      ["a JPEG cut off in its scan", [filePart(images.jpeg.subarray(0, images.jpeg.length - 40))], fieldProblem("file", "validation_invalid_image")],
    ])("%s", async (_, parts, expected) => {
      const { token, user } = await client.signIn(uniqueName("refused"));
      const response = await uploadAvatar(token, parts as never);
      expect(response.body).toEqual(expected);
      expect(await avatarsOf(user.pb_id)).toEqual([]);
    });

    it("a JSON body (415)", async () => {
      const { token } = await client.signIn(uniqueName("refused"));
      const response = await sendUpload(token, JSON.stringify({ file: "x" }), "application/json");
      expect(response.status).toBe(415);
      expect(response.body).toEqual(errorBody(415));
    });

    it("a body past the route's limit (413), before reading it", async () => {
      const { token, user } = await client.signIn(uniqueName("refused"));
      const response = await uploadAvatar(token, [filePart(Buffer.concat([images.png, Buffer.alloc(MAX_AVATAR_BYTES + 100 * 1024)]))]);
      expect(response.status).toBe(413);
      expect(await avatarsOf(user.pb_id)).toEqual([]);
    });

    it("a chunked body past the route's limit (413), stopped while it is read", async () => {
      const { token, user } = await client.signIn(uniqueName("refused"));
      const { body, contentType } = wxUploadFileBody([filePart(Buffer.concat([images.png, Buffer.alloc(3 * 1024 * 1024)]))]);
      const response = await fetch(`${client.baseUrl}/api/wechat/avatar`, {
        method: "POST",
        headers: { "content-type": contentType, authorization: `Bearer ${token}` },
        body: new ReadableStream({
          start(controller) {
            for (let offset = 0; offset < body.length; offset += 64 * 1024) controller.enqueue(body.subarray(offset, offset + 64 * 1024));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ code: 413, msg: "头像文件过大,上限 2 MB", data: {} });
      expect(await avatarsOf(user.pb_id)).toEqual([]);
    });

    it("a request without a token (401)", async () => {
      const response = await uploadAvatar(undefined, [filePart(images.png)]);
      expect(response.body).toEqual(failures.missingToken);
    });

    it("malformed multipart (400)", async () => {
      const { token } = await client.signIn(uniqueName("refused"));
      const response = await sendUpload(token, "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc", "multipart/form-data; boundary=x");
      expect(response.status).toBe(400);
    });
  });

  it("keeps at most 3 pending uploads per user, removing the oldest", async () => {
    const { token, user } = await client.signIn(uniqueName("pending"));
    const urls = [];
    for (let i = 0; i < 4; i++) urls.push(await uploaded(token));
    expect((await avatarsOf(user.pb_id)).map((avatar) => avatar.status)).toEqual(["待使用", "待使用", "待使用"]);
    expect((await fetchWithoutAuth(urls[0])).status).toBe(404);
    expect((await fetchWithoutAuth(urls[3])).status).toBe(200);
  });

  it("allows a user 20 uploads an hour, then answers 429", async () => {
    const { token } = await client.signIn(uniqueName("flood"));
    for (let i = 0; i < 20; i++) await uploaded(token, images.gif);
    const refused = await uploadAvatar(token, [filePart(images.gif)]);
    expect(refused.body).toEqual({ code: 429, msg: "头像上传过于频繁,请稍后重试", data: {} });
    const other = await client.signIn(uniqueName("flood"));
    expect((await uploadAvatar(other.token, [filePart(images.gif)])).status).toBe(200);
  });
});

describe("what an upload stores: the pixels, without metadata", () => {
  const stored = async (image: Uint8Array) => {
    const { token } = await client.signIn(uniqueName("metadata"));
    return Buffer.from(await (await fetchWithoutAuth(await uploaded(token, Buffer.from(image)))).arrayBuffer());
  };
  const traces = (bytes: Buffer) => ["Exif", "PhoneMaker", "GPS", "xmpmeta", "at home", "2026:"].filter((trace) => bytes.includes(trace));
  const afterSoi = (segments: Uint8Array[]) => concat(images.jpeg.subarray(0, 2), ...segments, images.jpeg.subarray(2));

  it("a phone photo's Exif (camera, GPS position), XMP and comment are gone from the JPEG served", async () => {
    const photo = afterSoi([exifSegment({ gps: true }), xmpSegment(), commentSegment("at home")]);
    expect(traces(Buffer.from(photo))).toEqual(["Exif", "PhoneMaker", "GPS", "xmpmeta", "at home"]);
    const served = await stored(photo);
    expect(traces(served)).toEqual([]);
    expect(served.equals(images.jpeg)).toBe(true);
  });

  it("a sideways photo keeps its orientation, alone, so it still shows upright", async () => {
    const served = await stored(afterSoi([exifSegment({ orientation: 6, gps: true })]));
    const orientationOnly = jpegSegment(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    expect(served.equals(afterSoi([orientationOnly]))).toBe(true);
  });

  it("PNG text, Exif and time chunks are gone", async () => {
    const original = png(16, 16);
    const chunks = [pngChunk("tEXt", Buffer.from("Comment\0at home")), pngChunk("eXIf", Buffer.from("MM\0*PhoneMaker GPS")), pngChunk("tIME", [7, 234, 11, 22, 10, 0, 0])];
    expect((await stored(concat(original.subarray(0, 33), ...chunks, original.subarray(33)))).equals(original)).toBe(true);
  });

  it("WebP EXIF and XMP chunks are gone, and so are their flags", async () => {
    const image = images.webp.subarray(12);
    const photo = webpFile(vp8xChunk(1, 1, WEBP_FLAGS.exif | WEBP_FLAGS.xmp), image, riffChunk("EXIF", Buffer.from("MM\0*PhoneMaker GPS")), riffChunk("XMP ", Buffer.from("<x:xmpmeta/>")));
    expect((await stored(photo)).equals(Buffer.from(webpFile(vp8xChunk(1, 1), image)))).toBe(true);
  });

  it("GIF comments and XMP are gone", async () => {
    const gif = images.gif;
    const tagged = concat(gif.subarray(0, 19), gifComment("at home"), gif.subarray(19, -1), gifApplication("XMP DataXMP", Buffer.from("<x:xmpmeta/>")), [0x3b]);
    expect((await stored(tagged)).equals(gif)).toBe(true);
  });
});

describe("an uploaded avatar in the profile", () => {
  it("becomes the picture, makes a guest a 注册用户, and is linked for staff", async () => {
    const { token, user } = await client.signIn(uniqueName("profile"));
    const url = await uploaded(token);
    const response = await client.profile(token, validProfile({ users_picture: url }));

    expect(response.status).toBe(200);
    expect(response.body.data.user).toMatchObject({ users_picture: url, users_type: "注册用户" });
    const [avatar] = await avatarsOf(user.pb_id);
    expect(avatar).toMatchObject({ status: "使用中", pending_until: "" });
    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_avatar: avatar.id, users_picture: url });
    expect((await fetchWithoutAuth(url)).status).toBe(200);
  });

  it("replacing it deletes the old file, and so does switching to another URL", async () => {
    const { token, user } = await client.signIn(uniqueName("replace"));
    const first = await uploaded(token);
    await client.profile(token, validProfile({ users_picture: first }));
    const second = await uploaded(token);
    expect((await client.profile(token, validProfile({ users_picture: second }))).status).toBe(200);

    expect((await fetchWithoutAuth(first)).status).toBe(404);
    expect((await avatarsOf(user.pb_id)).map((avatar) => avatar.status)).toEqual(["使用中"]);

    expect((await client.profile(token, validProfile({ users_picture: "https://example.com/elsewhere.png" }))).status).toBe(200);
    expect((await fetchWithoutAuth(second)).status).toBe(404);
    expect(await avatarsOf(user.pb_id)).toEqual([]);
    expect((await admin.users.getOne(user.pb_id)).users_avatar).toBe("");
  });

  it("an upload never used is swept once its time is up; the one in use stays", async () => {
    const { token, user } = await client.signIn(uniqueName("sweep"));
    const used = await uploaded(token);
    await client.profile(token, validProfile({ users_picture: used }));
    const unused = await uploaded(token);
    const pending = (await avatarsOf(user.pb_id)).find((avatar) => avatar.status === "待使用")!;
    await admin.pb.collection("tbl_user_avatars").update(pending.id, { pending_until: new Date(Date.now() - 1000).toISOString() });

    await runAvatarSweep();
    await eventually(async () => (await fetchWithoutAuth(unused)).status === 404);
    expect((await avatarsOf(user.pb_id)).map((avatar) => avatar.status)).toEqual(["使用中"]);
    expect((await fetchWithoutAuth(used)).status).toBe(200);
  });

  it("a URL of our files that is not this user's live avatar is refused before the billed phone call", async () => {
    const owner = await client.signIn(uniqueName("owner"));
    const othersAvatar = await uploaded(owner.token);
    const { token } = await client.signIn(uniqueName("thief"));
    const own = await uploaded(token);
    const phoneCallsBefore = (await wechat.stats()).getuserphonenumber;
    for (const picture of [othersAvatar, `${own}?thumb=100x100`, own.replace(/\/[a-z0-9]{15}\//, "/aaaaaaaaaaaaaaa/"), `${client.baseUrl}/api/files/tbl_company/x/y.png`]) {
      const response = await client.profile(token, validProfile({ users_picture: picture }));
      expect(response.body, picture).toEqual(fieldProblem("users_picture", "avatar_not_found"));
    }
    expect((await wechat.stats()).getuserphonenumber).toBe(phoneCallsBefore);
  });

  // The rule above must not depend on how the URL is spelled: each of these reaches the very
  // same file (a proxy or Go's router cleans the path), and none is the URL the upload answered.
  it("another spelling of an avatar URL is refused as the URL itself is: host case, dot segments, default port, %-escapes", async () => {
    await admin.pb.settings.update({ meta: { appURL: "https://mp.example.com/pb" } });
    try {
      const owner = await client.signIn(uniqueName("owner"));
      const othersAvatar = await uploaded(owner.token);
      const { token } = await client.signIn(uniqueName("thief"));
      const own = await uploaded(token);
      const spellings = (url: string) => [
        url.replace("mp.example.com", "MP.Example.COM"),
        url.replace("/pb/", "/pb/./"),
        url.replace("/pb/", "/pb/x/../"),
        url.replace("mp.example.com", "mp.example.com:443"),
        url.replace("/api/", "/%61pi/"),
        url.replace("/api/files/", "/api//files/"),
        url.replace("https:", "http:"),
      ];
      const phoneCallsBefore = (await wechat.stats()).getuserphonenumber;
      for (const picture of [...spellings(othersAvatar), ...spellings(own)]) {
        const response = await client.profile(token, validProfile({ users_picture: picture }));
        expect(response.body, picture).toEqual(fieldProblem("users_picture", "avatar_not_found"));
      }
      expect((await wechat.stats()).getuserphonenumber).toBe(phoneCallsBefore);
      expect((await client.profile(token, validProfile({ users_picture: own }))).status).toBe(200);
    } finally {
      await admin.pb.settings.update({ meta: { appURL: client.baseUrl } });
    }
  });

  it("erasing the account (注销) deletes their avatar files, used and pending", async () => {
    const { token, user } = await client.signIn(uniqueName("erase"));
    const used = await uploaded(token);
    await client.profile(token, validProfile({ users_picture: used }));
    const pending = await uploaded(token);
    await admin.users.update(user.pb_id, { users_status: "已注销" });
    expect(await admin.users.getOne(user.pb_id)).toMatchObject({ users_picture: "", users_avatar: "", users_flags: [] });
    expect(await avatarsOf(user.pb_id)).toEqual([]);
    expect((await fetchWithoutAuth(used)).status).toBe(404);
    expect((await fetchWithoutAuth(pending)).status).toBe(404);
  });

  it("deleting the user deletes their avatar files", async () => {
    const { token, user } = await client.signIn(uniqueName("erase"));
    const url = await uploaded(token);
    await client.profile(token, validProfile({ users_picture: url }));
    const pending = await uploaded(token);
    await admin.users.delete(user.pb_id);
    expect((await fetchWithoutAuth(url)).status).toBe(404);
    expect((await fetchWithoutAuth(pending)).status).toBe(404);
  });
});

describe("PocketBase's own API on avatars", () => {
  const AVATARS = "/api/collections/tbl_user_avatars/records";
  const call = async (method: string, path: string, token?: string, body?: unknown) =>
    (await fetch(`${client.baseUrl}${path}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) })).status;

  it("is superusers only: nobody lists, views, creates, changes or deletes avatar records", async () => {
    const { token, user } = await client.signIn(uniqueName("lockdown"));
    await uploaded(token);
    const [own] = await avatarsOf(user.pb_id);
    for (const [method, path, body, expected] of [
      ["GET", AVATARS, undefined, 403],
      ["GET", `${AVATARS}/${own.id}`, undefined, 403],
      ["POST", AVATARS, { user: user.pb_id, status: "使用中" }, 403],
      ["PATCH", `${AVATARS}/${own.id}`, { status: "使用中" }, 403],
      ["DELETE", `${AVATARS}/${own.id}`, undefined, 403],
    ] as const) {
      expect(await call(method, path, undefined, body), `guest ${method} ${path}`).toBe(expected);
      expect(await call(method, path, token, body), `user ${method} ${path}`).toBe(expected);
    }
    expect(await avatarsOf(user.pb_id)).toEqual([own]);
  });

  it("keeps users_flags out of what a user sees of their own record", async () => {
    const { token, user } = await client.signIn(uniqueName("hidden"));
    await client.profile(token, validProfile({ users_picture: await uploaded(token) }));
    const response = await fetch(`${client.baseUrl}/api/collections/tbl_auth_users/records/${user.pb_id}`, { headers: { authorization: token } });
    const record = await response.json();
    expect(record.id).toBe(user.pb_id);
    expect(record).not.toHaveProperty("users_flags");
    expect((await client.refreshToken(token)).body.record).not.toHaveProperty("users_flags");
  });
});
