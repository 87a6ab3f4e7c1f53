import { describe, expect, it } from "vitest";
import { sseParser, utf8StreamDecoder, type ServerSentEvent } from "../src/sse";

const encode = (text: string) => new TextEncoder().encode(text);

/** Decodes `bytes` cut at `cuts` (byte offsets). */
function decodeInPieces(bytes: Uint8Array, cuts: number[]): string {
  const decode = utf8StreamDecoder();
  let text = "";
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    text += decode(bytes.slice(start, cut));
    start = cut;
  }
  return text;
}

/** The events of `stream` fed as bytes cut at `cuts`. */
function eventsOf(stream: string, cuts: number[] = []): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const decode = utf8StreamDecoder();
  const parse = sseParser((event) => events.push(event));
  const bytes = encode(stream);
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parse(decode(bytes.slice(start, cut)));
    start = cut;
  }
  return events;
}

const everyCut = (length: number) => Array.from({ length: length + 1 }, (_, index) => index);

describe("utf8StreamDecoder", () => {
  const text = "a张三 🙂é\u{10FFFF}z";
  const bytes = encode(text);

  it.each(everyCut(bytes.length))("decodes text cut after byte %i, inside a character or not", (cut) => {
    expect(decodeInPieces(bytes, [cut])).toBe(text);
  });

  it("decodes text fed one byte at a time", () => {
    expect(decodeInPieces(bytes, everyCut(bytes.length).slice(1, -1))).toBe(text);
  });

  it.each([
    ["a lone continuation byte", [0x61, 0x80, 0x62], "a\uFFFDb"],
    ["a lead byte without its continuation", [0xe5, 0x61], "\uFFFDa"],
    ["an overlong encoding", [0xc0, 0xaf], "\uFFFD\uFFFD"],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], "\uFFFD\uFFFD\uFFFD"],
    ["a byte that is never UTF-8", [0xff, 0x61], "\uFFFDa"],
  ])("replaces %s with U+FFFD", (_, input, expected) => {
    expect(utf8StreamDecoder()(Uint8Array.from(input))).toBe(expected);
  });

  it("keeps an unfinished character until the rest arrives", () => {
    const decode = utf8StreamDecoder();
    expect(decode(Uint8Array.from([0xe5, 0xbc]))).toBe("");
    expect(decode(Uint8Array.from([0xa0, 0x21]))).toBe("张!");
  });
});

describe("sseParser", () => {
  const pocketbase = 'id:c1\nevent:PB_CONNECT\ndata:{"clientId":"c1"}\n\nid:c1\nevent:posts/*\ndata:{"action":"create","record":{"title":"张三 🙂"}}\n\n';
  const expected = [
    { id: "c1", event: "PB_CONNECT", data: '{"clientId":"c1"}' },
    { id: "c1", event: "posts/*", data: '{"action":"create","record":{"title":"张三 🙂"}}' },
  ];

  it("reads PocketBase's events", () => {
    expect(eventsOf(pocketbase)).toEqual(expected);
  });

  it.each([
    ["LF", pocketbase],
    ["CRLF", pocketbase.replace(/\n/g, "\r\n")],
    ["CR", pocketbase.replace(/\n/g, "\r")],
  ])("reads the same events with %s line ends, cut at every byte", (_, stream) => {
    for (const cut of everyCut(encode(stream).length)) expect(eventsOf(stream, [cut]), `cut at ${cut}`).toEqual(expected);
  });

  it("reads CRLF fed one byte at a time: a CR at the end of a piece and its LF at the start of the next end one line", () => {
    const stream = pocketbase.replace(/\n/g, "\r\n");
    expect(eventsOf(stream, everyCut(encode(stream).length).slice(1, -1))).toEqual(expected);
  });

  it("joins data lines with LF, skips comments and a space after the colon, and keeps the last id", () => {
    expect(eventsOf(": keep-alive\n\nid: 7\ndata: first\ndata:second\n\nevent: named\ndata\n\n")).toEqual([
      { id: "7", event: "message", data: "first\nsecond" },
      { id: "7", event: "named", data: "" },
    ]);
  });

  it("dispatches nothing for an event without data or without its blank line yet", () => {
    expect(eventsOf("event:nothing\n\nid:1\ndata:half")).toEqual([]);
  });

  it("ignores a byte order mark at the start of the stream", () => {
    expect(eventsOf("\uFEFFdata:x\n\n")).toEqual([{ id: "", event: "message", data: "x" }]);
  });
});
