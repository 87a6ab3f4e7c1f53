import { describe, expect, it } from "vitest";
import { stripImageMetadata } from "./image-metadata";
import { MAX_WALK_BYTE_STEPS } from "./image-structure";
import {
  adobeSegment,
  anmfChunk,
  ascii,
  commentSegment,
  concat,
  contains,
  exifSegment,
  gifApplication,
  gifComment,
  gifGraphicControl,
  gifLooping,
  gifSample,
  iccSegment,
  jfifSegment,
  jpegSample,
  jpegSegment,
  pngChunk,
  pngSample,
  riffChunk,
  vp8Chunk,
  vp8lChunk,
  vp8xChunk,
  webpFile,
  WEBP_FLAGS,
  xmpSegment,
} from "./image-samples";

// What a phone or an editor leaves in a file about the person, the device and the place.
const PERSONAL = ["PhoneMaker", "GPS", "xmpmeta", "at home", "Alice", "2026:", "Exif"];
const holdsNothingPersonal = (bytes: Uint8Array) => PERSONAL.filter((trace) => contains(bytes, trace));

// An Exif block that says only "rotate 90° clockwise to show" (big-endian TIFF, one IFD entry).
const orientationOnlyExif = (orientation: number) =>
  jpegSegment(0xe1, [...ascii("Exif\0\0MM\0*"), 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);

describe("stripImageMetadata", () => {
  describe("JPEG", () => {
    it("drops Exif (GPS, camera), XMP, comments and other APPn segments, before the frame and between scans", () => {
      const other = [jpegSegment(0xe3, ascii("Alice's camera")), jpegSegment(0xed, ascii("Photoshop 3.0\08BIM IPTC at home")), jpegSegment(0xef, ascii("2026:11:22"))];
      const photo = jpegSample(132, 132, { before: [exifSegment(), xmpSegment(), commentSegment("at home"), ...other], between: [commentSegment("Alice"), jpegSegment(0xe1, ascii("Exif\0\0MM"))] });
      const stripped = stripImageMetadata(photo, "jpeg")!;
      expect(holdsNothingPersonal(stripped)).toEqual([]);
      expect(stripped).toEqual(jpegSample(132, 132));
    });

    it("keeps JFIF (APP0), the ICC colour profile (APP2) and Adobe's colour transform (APP14), which decoding needs", () => {
      const before = [jfifSegment(), iccSegment(), iccSegment(), adobeSegment()];
      const photo = jpegSample(132, 132, { before: [...before.slice(0, 1), exifSegment(), ...before.slice(1)] });
      expect(stripImageMetadata(photo, "jpeg")).toEqual(jpegSample(132, 132, { before }));
    });

    it("keeps the Exif orientation, alone, so that a rotated photo still shows upright", () => {
      for (const littleEndian of [false, true]) {
        const photo = jpegSample(100, 50, { before: [jfifSegment(), exifSegment({ orientation: 6, littleEndian })] });
        const stripped = stripImageMetadata(photo, "jpeg")!;
        expect(holdsNothingPersonal(stripped)).toEqual(["Exif"]);
        expect(stripped).toEqual(jpegSample(100, 50, { before: [jfifSegment(), orientationOnlyExif(6)] }));
      }
    });

    it("drops an Exif block whose orientation is the default, or unreadable", () => {
      expect(stripImageMetadata(jpegSample(10, 10, { before: [exifSegment({ orientation: 1 })] }), "jpeg")).toEqual(jpegSample(10, 10));
      expect(stripImageMetadata(jpegSample(10, 10, { before: [jpegSegment(0xe1, ascii("Exif\0\0XX garbage"))] }), "jpeg")).toEqual(jpegSample(10, 10));
    });

    it("drops the thumbnail of the JFIF header, and JFIF extension (JFXX) thumbnails", () => {
      const photo = jpegSample(10, 10, { before: [jfifSegment({ width: 2, height: 2 }), jpegSegment(0xe0, concat(ascii("JFXX\0\x13"), jpegSample(2, 2)))] });
      expect(stripImageMetadata(photo, "jpeg")).toEqual(jpegSample(10, 10, { before: [jfifSegment()] }));
    });

    it("drops what follows the end of the image (appended pictures, depth maps, anything)", () => {
      const photo = concat(jpegSample(10, 10, { before: [jpegSegment(0xe2, ascii("MPF\0 a second picture follows"))] }), jpegSample(4000, 3000), ascii("Alice"));
      expect(stripImageMetadata(photo, "jpeg")).toEqual(jpegSample(10, 10));
    });

    it("returns the very same bytes when there is nothing to drop", () => {
      const clean = jpegSample(10, 10, { before: [jfifSegment()] });
      expect(stripImageMetadata(clean, "jpeg")).toBe(clean);
    });

    it("refuses a file it cannot walk to its end", () => {
      const restartMarkers = (count: number) => concat(jpegSample(10, 10).subarray(0, -2), new Array(count).fill([0x11, 0xff, 0xd0]).flat(), [0xff, 0xd9]);
      expect(stripImageMetadata(restartMarkers(100), "jpeg")).not.toBeNull();
      expect(stripImageMetadata(restartMarkers(MAX_WALK_BYTE_STEPS), "jpeg")).toBeNull();
      expect(stripImageMetadata(jpegSample(10, 10).subarray(0, -2), "jpeg")).toBeNull();
      expect(stripImageMetadata(concat(jpegSample(10, 10).subarray(0, 30), [0x00, 0x00]), "jpeg")).toBeNull();
    });
  });

  describe("PNG", () => {
    const text = [pngChunk("tEXt", ascii("Author\0Alice")), pngChunk("zTXt", ascii("Comment\0\0x")), pngChunk("iTXt", ascii("GPS\0\0\0\0\0at home")), pngChunk("eXIf", ascii("MM\0*PhoneMaker")), pngChunk("tIME", [7, 234, 11, 22, 10, 0, 0])];
    const other = [pngChunk("pHYs", [0, 0, 11, 19, 0, 0, 11, 19, 1]), pngChunk("bKGD", [0, 0, 0, 0, 0, 0]), pngChunk("vpAg", ascii("Alice")), pngChunk("caBX", ascii("xmpmeta"))];
    const rendering = [pngChunk("gAMA", [0, 0, 0xb1, 0x8f]), pngChunk("cHRM", new Array(32).fill(1)), pngChunk("sRGB", [0]), pngChunk("iCCP", ascii("P3\0\0profile")), pngChunk("sBIT", [8, 8, 8]), pngChunk("cICP", [1, 13, 0, 1])];

    it("drops text, Exif, time and every chunk that does not change the pixels", () => {
      const stripped = stripImageMetadata(pngSample(132, 132, { before: [...text, ...other], after: [pngChunk("tEXt", ascii("Comment\0Alice"))] }), "png")!;
      expect(holdsNothingPersonal(stripped)).toEqual([]);
      expect(stripped).toEqual(pngSample(132, 132));
    });

    it("keeps the colour chunks (gAMA, cHRM, sRGB, iCCP, sBIT, cICP), the palette's transparency and APNG's frames", () => {
      const animation = [pngChunk("acTL", [0, 0, 0, 1, 0, 0, 0, 0]), pngChunk("fcTL", new Array(26).fill(0))];
      const kept = [...rendering, pngChunk("PLTE", [0, 0, 0]), pngChunk("tRNS", [0]), ...animation];
      expect(stripImageMetadata(pngSample(132, 132, { before: [...kept, ...text], after: [pngChunk("fdAT", [0, 0, 0, 1, 9])] }), "png")).toEqual(pngSample(132, 132, { before: kept, after: [pngChunk("fdAT", [0, 0, 0, 1, 9])] }));
    });

    it("drops what follows IEND", () => {
      expect(stripImageMetadata(concat(pngSample(10, 10), ascii("Alice at home")), "png")).toEqual(pngSample(10, 10));
    });

    it("returns the very same bytes when there is nothing to drop", () => {
      const clean = pngSample(10, 10, { before: rendering });
      expect(stripImageMetadata(clean, "png")).toBe(clean);
    });

    it("refuses a file without IEND, or with a critical chunk no decoder knows", () => {
      expect(stripImageMetadata(pngSample(10, 10).subarray(0, -12), "png")).toBeNull();
      expect(stripImageMetadata(pngSample(10, 10, { before: [pngChunk("ZZZZ", [1])] }), "png")).toBeNull();
    });
  });

  describe("WebP", () => {
    const exif = riffChunk("EXIF", concat(ascii("MM\0*PhoneMaker GPS"), [0]));
    const xmp = riffChunk("XMP ", ascii("<x:xmpmeta>Alice at home</x:xmpmeta>"));

    it("drops EXIF and XMP chunks and clears their flags in VP8X; keeps ICCP, ALPH and the image", () => {
      const photo = webpFile(vp8xChunk(64, 32, WEBP_FLAGS.icc | WEBP_FLAGS.alpha | WEBP_FLAGS.exif | WEBP_FLAGS.xmp), riffChunk("ICCP", ascii("profile")), riffChunk("ALPH", [0, 1, 2]), vp8Chunk(64, 32), exif, xmp);
      const stripped = stripImageMetadata(photo, "webp")!;
      expect(holdsNothingPersonal(stripped)).toEqual([]);
      expect(stripped).toEqual(webpFile(vp8xChunk(64, 32, WEBP_FLAGS.icc | WEBP_FLAGS.alpha), riffChunk("ICCP", ascii("profile")), riffChunk("ALPH", [0, 1, 2]), vp8Chunk(64, 32)));
    });

    it("keeps an animation (ANIM, ANMF) and drops unknown chunks", () => {
      const frames = [riffChunk("ANIM", [0, 0, 0, 0, 0, 0]), anmfChunk({ x: 0, y: 0, width: 8, height: 8 }, vp8lChunk(8, 8))];
      const animated = webpFile(vp8xChunk(8, 8, WEBP_FLAGS.animation | WEBP_FLAGS.xmp), ...frames, riffChunk("ABCD", ascii("Alice")), xmp);
      expect(stripImageMetadata(animated, "webp")).toEqual(webpFile(vp8xChunk(8, 8, WEBP_FLAGS.animation), ...frames));
    });

    it("drops what follows the RIFF body, and fixes its size", () => {
      const stripped = stripImageMetadata(concat(webpFile(vp8lChunk(10, 10)), ascii("Alice")), "webp")!;
      expect(stripped).toEqual(webpFile(vp8lChunk(10, 10)));
    });

    it("returns the very same bytes when there is nothing to drop", () => {
      const clean = webpFile(vp8lChunk(10, 10));
      expect(stripImageMetadata(clean, "webp")).toBe(clean);
    });

    it("refuses a chunk that runs past the RIFF body", () => {
      const broken = webpFile(vp8lChunk(10, 10));
      broken[16] = 0xff;
      expect(stripImageMetadata(broken, "webp")).toBeNull();
    });
  });

  describe("GIF", () => {
    const xmp = gifApplication("XMP DataXMP", ascii("<x:xmpmeta>Alice</x:xmpmeta>"));

    it("drops comments and application extensions other than NETSCAPE2.0's looping", () => {
      const animated = gifSample({ width: 10, height: 10 }, [{ width: 10, height: 10 }, { width: 5, height: 5 }], { extensions: [gifComment("at home"), gifLooping(), xmp, gifGraphicControl()], after: [gifComment("Alice")] });
      const stripped = stripImageMetadata(animated, "gif")!;
      expect(holdsNothingPersonal(stripped)).toEqual([]);
      expect(stripped).toEqual(gifSample({ width: 10, height: 10 }, [{ width: 10, height: 10 }, { width: 5, height: 5 }], { extensions: [gifLooping(), gifGraphicControl()] }));
    });

    it("keeps ANIMEXTS1.0 (the same looping block under another name)", () => {
      const looping = gifApplication("ANIMEXTS1.0", [1, 0, 0]);
      const gif = gifSample({ width: 1, height: 1 }, undefined, { extensions: [looping] });
      expect(stripImageMetadata(gif, "gif")).toBe(gif);
    });

    it("drops what follows the trailer", () => {
      expect(stripImageMetadata(concat(gifSample({ width: 1, height: 1 }), ascii("Alice")), "gif")).toEqual(gifSample({ width: 1, height: 1 }));
    });

    it("refuses a file without a trailer", () => {
      expect(stripImageMetadata(gifSample({ width: 1, height: 1 }).subarray(0, -1), "gif")).toBeNull();
    });
  });
});
