// Server-sent events read from the chunks wx.request's onChunkReceived hands over. A chunk ends
// wherever the network cut it: inside a line, inside a UTF-8 character, between a CR and its LF.
// So the bytes are decoded by a UTF-8 decoder that keeps an unfinished character for the next chunk
// (a mini-program has no TextDecoder to rely on), and the text by a line parser that keeps an
// unfinished line, after the WHATWG EventSource rules.

export interface ServerSentEvent {
  /** The event's `id`, or the last one seen. PocketBase sends its client id here. */
  id: string;
  /** The event's name; `message` when the server named none. */
  event: string;
  data: string;
}

const REPLACEMENT_CHARACTER = "\uFFFD";

/** Answers a function that decodes the next chunk of a UTF-8 stream. */
export function utf8StreamDecoder(): (chunk: Uint8Array) => string {
  let carried: number[] = [];
  return (chunk) => {
    const bytes = carried.length > 0 ? carried.concat(Array.prototype.slice.call(chunk) as number[]) : chunk;
    carried = [];
    let text = "";
    let index = 0;
    while (index < bytes.length) {
      const lead = bytes[index];
      const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
      if (length === 0) {
        text += REPLACEMENT_CHARACTER;
        index += 1;
        continue;
      }
      if (index + length > bytes.length && continuesUpTo(bytes, index, bytes.length)) {
        carried = Array.prototype.slice.call(bytes, index) as number[];
        break;
      }
      if (!continuesUpTo(bytes, index, index + length)) {
        text += REPLACEMENT_CHARACTER;
        index += 1;
        continue;
      }
      let codePoint = length === 1 ? lead : lead & (0xff >> (length + 1));
      for (let next = index + 1; next < index + length; next++) codePoint = (codePoint << 6) | (bytes[next] & 0x3f);
      const shortest = length === 1 || codePoint >= [0, 0, 0x80, 0x800, 0x10000][length];
      if (!shortest || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
        text += REPLACEMENT_CHARACTER;
        index += 1;
        continue;
      }
      text += codePoint < 0x10000 ? String.fromCharCode(codePoint) : String.fromCharCode(0xd7c0 + (codePoint >> 10), 0xdc00 | (codePoint & 0x3ff));
      index += length;
    }
    return text;
  };
}

/** True when bytes[from + 1 .. to) are all continuation bytes (10xxxxxx). */
function continuesUpTo(bytes: ArrayLike<number>, from: number, to: number): boolean {
  for (let index = from + 1; index < to; index++) if ((bytes[index] & 0xc0) !== 0x80) return false;
  return true;
}

/** Answers a function that takes the next piece of the stream's text and calls `onEvent` per complete event. */
export function sseParser(onEvent: (event: ServerSentEvent) => void): (text: string) => void {
  let pending = "";
  let skipLineFeed = false;
  let atStart = true;
  let lastId = "";
  let event = "";
  let data: string[] = [];

  function line(text: string): void {
    if (text === "") {
      if (data.length > 0) onEvent({ id: lastId, event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    const colon = text.indexOf(":");
    if (colon === 0) return; // a comment
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.charAt(0) === " ") value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && value.indexOf("\0") < 0) lastId = value;
  }

  return (text) => {
    if (atStart && text !== "") {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR that ended the previous piece already ended its line: a LF right after it is part of it.
    if (skipLineFeed && text.charAt(0) === "\n") text = text.slice(1);
    skipLineFeed = false;
    pending += text;
    let start = 0;
    for (let index = 0; index < pending.length; index++) {
      const character = pending.charAt(index);
      if (character !== "\r" && character !== "\n") continue;
      line(pending.slice(start, index));
      if (character === "\r") {
        if (index + 1 === pending.length) skipLineFeed = true;
        else if (pending.charAt(index + 1) === "\n") index += 1;
      }
      start = index + 1;
    }
    pending = pending.slice(start);
  };
}
