import { describe, expect, it } from "vitest";
import { detectImageType } from "./image-type";

const bytes = (...values: number[]) => [...values, ...new Array(16).fill(0)];
const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

describe("detectImageType", () => {
  it.each([
    ["JPEG", bytes(0xff, 0xd8, 0xff, 0xe0), "jpeg"],
    ["PNG", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), "png"],
    ["GIF87a", bytes(...ascii("GIF87a")), "gif"],
    ["GIF89a", bytes(...ascii("GIF89a")), "gif"],
    ["WebP", bytes(...ascii("RIFF"), 1, 2, 3, 4, ...ascii("WEBP")), "webp"],
  ])("recognises %s", (_, head, type) => {
    expect(detectImageType(head)).toBe(type);
  });

  it.each([
    ["SVG (XML text)", bytes(...ascii('<svg xmlns="'))],
    ["HTML", bytes(...ascii("<!DOCTYPE html>"))],
    ["BMP", bytes(...ascii("BM"), 0x36, 0x28)],
    ["a RIFF that is not WebP (WAV)", bytes(...ascii("RIFF"), 1, 2, 3, 4, ...ascii("WAVE"))],
    ["GIF with a wrong version", bytes(...ascii("GIF88a"))],
    ["a PNG signature cut short", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00)],
    ["a JPEG signature shorter than 12 bytes", [0xff, 0xd8, 0xff, 0xe0]],
    ["nothing", []],
  ])("refuses %s", (_, head) => {
    expect(detectImageType(head)).toBeNull();
  });
});
