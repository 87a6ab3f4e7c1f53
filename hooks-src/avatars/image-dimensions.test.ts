import { describe, expect, it } from "vitest";
import { fitsAvatarBounds, MAX_AVATAR_ASPECT_RATIO, MAX_AVATAR_SIDE_PIXELS, readImageDimensions } from "./image-dimensions";
import { MAX_WALK_BLOCKS, MAX_WALK_BYTE_STEPS } from "./image-structure";
import {
  anmfChunk,
  ascii,
  commentSegment,
  concat,
  exifSegment,
  gifComment,
  gifLooping,
  gifSample,
  jfifSegment,
  jpegSample,
  jpegSegment,
  PNG_SIGNATURE,
  pngChunk,
  pngHeader,
  pngSample,
  riffChunk,
  vp8Chunk,
  vp8lChunk,
  vp8xChunk,
  webpFile,
  WEBP_FLAGS,
} from "./image-samples";

describe("readImageDimensions", () => {
  describe("PNG: the IHDR chunk right after the signature", () => {
    it("reads width and height", () => {
      expect(readImageDimensions(pngSample(132, 96), "png")).toEqual({ width: 132, height: 96 });
      expect(readImageDimensions(pngSample(20000, 20000), "png")).toEqual({ width: 20000, height: 20000 });
    });

    it.each([
      ["cut inside IHDR", pngSample(132, 132).subarray(0, 20)],
      ["another chunk first", concat(PNG_SIGNATURE, pngChunk("tEXt", ascii("a\0b")), pngHeader(1, 1))],
      ["an IHDR of the wrong length", concat(PNG_SIGNATURE, pngChunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1]))],
      ["a zero width", pngSample(0, 10)],
      ["a width past 2^31 - 1", pngSample(0x80000000, 10)],
    ])("gives nothing for %s", (_, bytes) => {
      expect(readImageDimensions(bytes, "png")).toBeNull();
    });
  });

  describe("JPEG: the frame header (SOFn), found by walking the segments", () => {
    it.each([
      ["baseline (SOF0)", 0xc0],
      ["extended (SOF1)", 0xc1],
      ["progressive (SOF2)", 0xc2],
      ["lossless (SOF3)", 0xc3],
      ["arithmetic (SOF9)", 0xc9],
      ["differential arithmetic (SOF15)", 0xcf],
    ])("reads a %s frame", (_, marker) => {
      expect(readImageDimensions(jpegSample(640, 480, { sofMarker: marker }), "jpeg")).toEqual({ width: 640, height: 480 });
    });

    it("skips APPn, COM, DQT and DHT segments, whatever they hold", () => {
      // An Exif block may carry a thumbnail JPEG of its own, SOF and all: it is inside a segment, not read.
      const thumbnailInside = jpegSegment(0xe1, concat(ascii("Exif\0\0"), jpegSample(9999, 9999)));
      const before = [jfifSegment(), exifSegment(), thumbnailInside, commentSegment("\xff\xc0 not a marker"), jpegSegment(0xcc, [0, 0x10])];
      expect(readImageDimensions(jpegSample(132, 132, { before }), "jpeg")).toEqual({ width: 132, height: 132 });
    });

    it("takes DHT (0xC4), JPG (0xC8) and DAC (0xCC) for what they are, not frame headers", () => {
      const lookalikes = [jpegSegment(0xc4, [0, 0, 0, 0, 0, 0, 0, 0]), jpegSegment(0xc8, [8, 0xff, 0xff, 0xff, 0xff]), jpegSegment(0xcc, [8, 0xff, 0xff, 0xff, 0xff])];
      expect(readImageDimensions(jpegSample(10, 20, { before: lookalikes }), "jpeg")).toEqual({ width: 10, height: 20 });
    });

    it("allows fill bytes (0xFF) before a marker", () => {
      const sample = jpegSample(10, 20);
      expect(readImageDimensions(concat([0xff, 0xd8, 0xff, 0xff], sample.subarray(2)), "jpeg")).toEqual({ width: 10, height: 20 });
    });

    it.each([
      ["cut inside a segment", jpegSample(10, 20, { before: [exifSegment()] }).subarray(0, 30)],
      ["cut before any frame header", Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10])],
      ["a scan before any frame header", concat([0xff, 0xd8], jpegSegment(0xda, [1, 1, 0, 0, 63, 0]), [0x12, 0xff, 0xd9])],
      ["two frame headers", jpegSample(10, 20, { before: [jpegSegment(0xc0, [8, 0, 10, 0, 20, 1, 1, 0x11, 0])] })],
      ["a segment length under 2", concat([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01], jpegSample(10, 20).subarray(2))],
      ["bytes that are no marker", concat([0xff, 0xd8, 0x12, 0x34], jpegSample(10, 20).subarray(2))],
      ["a frame header too short", concat([0xff, 0xd8], jpegSegment(0xc0, [8, 0, 10]), jpegSample(10, 20).subarray(2))],
      ["a zero height (left to a DNL segment)", jpegSample(10, 0)],
      ["a zero width", jpegSample(0, 10)],
    ])("gives nothing for %s", (_, bytes) => {
      expect(readImageDimensions(bytes, "jpeg")).toBeNull();
    });
  });

  describe("WebP", () => {
    it("reads a lossy (VP8) frame's 14-bit sizes", () => {
      expect(readImageDimensions(webpFile(vp8Chunk(132, 100)), "webp")).toEqual({ width: 132, height: 100 });
      expect(readImageDimensions(webpFile(vp8Chunk(16383, 16383)), "webp")).toEqual({ width: 16383, height: 16383 });
    });

    it("reads a lossless (VP8L) image's sizes", () => {
      expect(readImageDimensions(webpFile(vp8lChunk(132, 100)), "webp")).toEqual({ width: 132, height: 100 });
      expect(readImageDimensions(webpFile(vp8lChunk(16384, 1)), "webp")).toEqual({ width: 16384, height: 1 });
    });

    it("reads an extended file's canvas (VP8X), its 24-bit sizes included", () => {
      expect(readImageDimensions(webpFile(vp8xChunk(132, 100), vp8Chunk(132, 100)), "webp")).toEqual({ width: 132, height: 100 });
      const animated = webpFile(vp8xChunk(100000, 50000, WEBP_FLAGS.animation), riffChunk("ANIM", [0, 0, 0, 0, 0, 0]), anmfChunk({ x: 0, y: 0, width: 2, height: 2 }, vp8lChunk(2, 2)));
      expect(readImageDimensions(animated, "webp")).toEqual({ width: 100000, height: 50000 });
    });

    it("reads past the metadata chunks of an extended file", () => {
      const file = webpFile(vp8xChunk(64, 32, WEBP_FLAGS.icc | WEBP_FLAGS.exif), riffChunk("ICCP", ascii("profile")), vp8lChunk(64, 32), riffChunk("EXIF", ascii("MM\0*")));
      expect(readImageDimensions(file, "webp")).toEqual({ width: 64, height: 32 });
    });

    it.each([
      ["a VP8 frame without its start code", webpFile(riffChunk("VP8 ", [0x50, 0x01, 0x00, 0x00, 0x00, 0x00, 10, 0, 10, 0]))],
      ["a VP8L image without its signature", webpFile(riffChunk("VP8L", [0x00, 0, 0, 0, 0]))],
      ["a VP8 frame cut short", webpFile(riffChunk("VP8 ", [0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 10]))],
      ["a chunk running past the file", webpFile(vp8lChunk(10, 10)).subarray(0, 22)],
      ["a RIFF size past the file", concat(ascii("RIFF"), [0xff, 0xff, 0, 0], ascii("WEBP"), vp8lChunk(1, 1))],
      ["a first chunk that is no image", webpFile(riffChunk("EXIF", [1, 2]), vp8lChunk(1, 1))],
      ["a canvas whose image has other sizes", webpFile(vp8xChunk(100, 100), vp8Chunk(8000, 8000))],
      ["an animation frame outside the canvas", webpFile(vp8xChunk(100, 100, WEBP_FLAGS.animation), anmfChunk({ x: 90, y: 0, width: 20, height: 20 }, vp8lChunk(20, 20)))],
      ["an animation frame whose image has other sizes", webpFile(vp8xChunk(100, 100, WEBP_FLAGS.animation), anmfChunk({ x: 0, y: 0, width: 20, height: 20 }, vp8lChunk(8000, 8000)))],
      ["an extended file without any image", webpFile(vp8xChunk(100, 100))],
    ])("gives nothing for %s", (_, bytes) => {
      expect(readImageDimensions(bytes, "webp")).toBeNull();
    });
  });

  describe("GIF: the logical screen, grown to cover every frame", () => {
    it("reads the logical screen", () => {
      expect(readImageDimensions(gifSample({ width: 132, height: 99 }), "gif")).toEqual({ width: 132, height: 99 });
    });

    it("walks extensions and every frame", () => {
      const gif = gifSample({ width: 50, height: 40 }, [{ width: 50, height: 40 }, { left: 10, top: 5, width: 20, height: 20 }], { extensions: [gifComment("x".repeat(600)), gifLooping()] });
      expect(readImageDimensions(gif, "gif")).toEqual({ width: 50, height: 40 });
    });

    it("takes a frame larger than the screen into account", () => {
      expect(readImageDimensions(gifSample({ width: 10, height: 10 }, [{ width: 10, height: 10 }, { left: 60000, top: 0, width: 5000, height: 30000 }]), "gif")).toEqual({ width: 65000, height: 30000 });
      expect(readImageDimensions(gifSample({ width: 0, height: 0 }, [{ width: 132, height: 132 }]), "gif")).toEqual({ width: 132, height: 132 });
    });

    it.each([
      ["cut inside the logical screen", gifSample({ width: 10, height: 10 }).subarray(0, 11)],
      ["cut inside a frame's data", gifSample({ width: 10, height: 10 }).subarray(0, 30)],
      ["no trailer", gifSample({ width: 10, height: 10 }).subarray(0, -1)],
      ["an unknown block", concat(gifSample({ width: 10, height: 10 }).subarray(0, -1), [0x99, 0x3b])],
      ["no frame at all", concat(gifSample({ width: 10, height: 10 }).subarray(0, 19), [0x3b])],
    ])("gives nothing for %s", (_, bytes) => {
      expect(readImageDimensions(bytes, "gif")).toBeNull();
    });
  });
});

describe("a walk longer than any real file needs", () => {
  const emptyChunks = (count: number) => concat(PNG_SIGNATURE, pngHeader(1, 1), ...new Array(count).fill(pngChunk("tEXt")), pngChunk("IEND"));

  it("is cut short past MAX_WALK_BLOCKS blocks: the file reads as garbled", () => {
    expect(readImageDimensions(emptyChunks(MAX_WALK_BLOCKS - 2), "png")).toEqual({ width: 1, height: 1 });
    expect(readImageDimensions(emptyChunks(MAX_WALK_BLOCKS - 1), "png")).toBeNull();
    const manyComments = concat([0xff, 0xd8], ...new Array(MAX_WALK_BLOCKS).fill(commentSegment("")), jpegSample(1, 1).subarray(2));
    expect(readImageDimensions(manyComments, "jpeg")).toBeNull();
    expect(readImageDimensions(gifSample({ width: 1, height: 1 }, new Array(MAX_WALK_BLOCKS).fill({ width: 1, height: 1 })), "gif")).toBeNull();
    expect(readImageDimensions(webpFile(vp8lChunk(1, 1), ...new Array(MAX_WALK_BLOCKS).fill(riffChunk("ABCD", []))), "webp")).toBeNull();
  });

  it("is cut short past MAX_WALK_BYTE_STEPS fill bytes or GIF sub-blocks", () => {
    const fill = (count: number) => concat([0xff, 0xd8], new Array(count).fill(0xff), jpegSample(1, 1).subarray(3));
    expect(readImageDimensions(fill(3), "jpeg")).toEqual({ width: 1, height: 1 });
    expect(readImageDimensions(fill(MAX_WALK_BYTE_STEPS + 1), "jpeg")).toBeNull();
    const tinySubBlocks = concat(gifSample({ width: 1, height: 1 }).subarray(0, -1), [0x21, 0xfe], new Array(MAX_WALK_BYTE_STEPS).fill([1, 0x41]).flat(), [0, 0x3b]);
    expect(readImageDimensions(tinySubBlocks, "gif")).toBeNull();
  });
});

describe("fitsAvatarBounds", () => {
  it.each([
    [132, 132],
    [1, 1],
    [MAX_AVATAR_SIDE_PIXELS, MAX_AVATAR_SIDE_PIXELS],
    [1920, 1080],
    [20, 1],
    [2000, 2000 / MAX_AVATAR_ASPECT_RATIO],
  ])("accepts %i×%i", (width, height) => {
    expect(fitsAvatarBounds({ width, height })).toBe(true);
    expect(fitsAvatarBounds({ width: height, height: width })).toBe(true);
  });

  it.each([
    [20000, 20000],
    [MAX_AVATAR_SIDE_PIXELS + 1, 10],
    [1, 2048],
    [21, 1],
    [100, 2001],
  ])("refuses %i×%i", (width, height) => {
    expect(fitsAvatarBounds({ width, height })).toBe(false);
    expect(fitsAvatarBounds({ width: height, height: width })).toBe(false);
  });
});
