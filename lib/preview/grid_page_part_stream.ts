/**
 * The grid page's reading of `grid.mjpg`: one response that carries the
 * frames of every camera, cut into its parts as the bytes come. Plain code on
 * bytes, no page around it, so the tests feed it byte vectors.
 *
 * ```text
 * --XYZ\r\n                             the delimiter line: "--" and the boundary
 * Content-Type: image/jpeg\r\n
 * Content-Length: 5120\r\n              required: the body is read by its length
 * X-Camera: porch\r\n                   names are case-insensitive
 * X-Timestamp: 1733500000.123456\r\n
 * X-Frame: 42\r\n
 * \r\n                                  the end of the headers
 * <5120 bytes of JPEG>\r\n
 * --XYZ\r\n                             the next part ...
 * --XYZ--                               ... or the end of the response
 * ```
 *
 * Bytes before a delimiter line (a preamble, or the line break after a body)
 * are skipped, so a body whose length was wrong costs that part alone.
 *
 * @module
 */

/** One part of the response: its headers and its body. */
export interface Part {
  /** The part's headers, by name in lower case. */
  headers: Map<string, string>;
  /** The part's body, as long as its Content-Length said. */
  body: Uint8Array<ArrayBuffer>;
}

/** The most bytes of headers a part may have. */
const MAX_HEADER_BYTES = 16 * 1024;
/**
 * The longest body a part may have: the receiver's largest frame
 * (`MAX_FRAME_BYTES`, `lib/hub/frame.ts`). A longer Content-Length fails the
 * stream, and the page opens another.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The buffer's first size, and the size it goes back to after a big part. */
const BUFFER_BYTES = 64 * 1024;
/**
 * The largest buffer kept once a part is cut: one the usual frames grew to
 * stays (no new buffer a frame), one a big part grew to goes back to
 * {@linkcode BUFFER_BYTES}.
 */
const KEPT_BUFFER_BYTES = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const HEADERS_END = Uint8Array.of(CR, LF, CR, LF);

/**
 * The boundary of a `multipart/*` Content-Type, or undefined if it is not
 * one or names none.
 */
export function boundaryOf(contentType: string | null): string | undefined {
  if (contentType === null || !/^\s*multipart\//i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Cuts a multipart body into its parts as the bytes come.
 *
 * @example
 * ```ts
 * const parts = response.body!.pipeThrough(new PartStream("XYZ"));
 * for await (const part of parts) console.log(part.headers.get("x-camera"));
 * ```
 */
export class PartStream extends TransformStream<Uint8Array, Part> {
  /**
   * @param boundary The boundary, as the response's Content-Type names it.
   * @throws {RangeError} If the boundary is empty.
   */
  constructor(boundary: string) {
    if (boundary === "") throw new RangeError("The boundary is empty");
    const cutter = new PartCutter(boundary);
    super({
      transform(chunk, controller) {
        cutter.push(chunk);
        for (let part = cutter.next(); part !== undefined; part = cutter.next()) {
          controller.enqueue(part);
        }
      },
    });
  }
}

/**
 * The bytes received and not yet cut, and where the cutting stands: the
 * plain core of {@linkcode PartStream}, fed with bytes.
 *
 * @example
 * ```ts
 * const cutter = new PartCutter("XYZ");
 * cutter.push(bytes);
 * for (let part = cutter.next(); part !== undefined; part = cutter.next()) show(part);
 * ```
 */
export class PartCutter {
  #delimiter: Uint8Array;
  #buffer = new Uint8Array(BUFFER_BYTES);
  #start = 0;
  #end = 0;
  /** What comes next: a delimiter line, a part's headers, its body, or nothing more. */
  #state: "delimiter" | "headers" | "body" | "closed" = "delimiter";
  #headers = new Map<string, string>();
  #bodyLength = 0;

  /** @param boundary The boundary, as the response's Content-Type names it. */
  constructor(boundary: string) {
    this.#delimiter = new TextEncoder().encode("--" + boundary);
  }

  /**
   * How many bytes its buffer has room for: 64 KiB, more as parts need, and
   * back to 64 KiB once a part that grew it past 1 MiB is cut.
   */
  get capacity(): number {
    return this.#buffer.length;
  }

  /** Takes the next bytes of the response. */
  push(chunk: Uint8Array): void {
    if (this.#state === "closed") return;
    if (this.#end + chunk.length > this.#buffer.length) {
      const kept = this.#end - this.#start;
      if (kept + chunk.length > this.#buffer.length / 2) {
        const grown = new Uint8Array(Math.max(2 * this.#buffer.length, 2 * (kept + chunk.length)));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = kept;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * The next whole part, or undefined until more bytes come.
   *
   * @throws {SyntaxError} If a part's headers are too long or give no usable Content-Length.
   */
  next(): Part | undefined {
    for (;;) {
      if (this.#state === "delimiter" && !this.#readDelimiter()) return undefined;
      if (this.#state === "headers" && !this.#readHeaders()) return undefined;
      if (this.#state === "closed") return undefined;
      if (this.#state === "body") {
        if (this.#end - this.#start < this.#bodyLength) return undefined;
        const body = this.#buffer.slice(this.#start, this.#start + this.#bodyLength);
        this.#start += this.#bodyLength;
        this.#state = "delimiter";
        this.#shrink();
        return { headers: this.#headers, body };
      }
    }
  }

  /** Goes back to a small buffer after a big part, keeping what came after it. */
  #shrink(): void {
    const kept = this.#end - this.#start;
    if (this.#buffer.length <= KEPT_BUFFER_BYTES || kept > BUFFER_BYTES / 2) return;
    const small = new Uint8Array(BUFFER_BYTES);
    small.set(this.#buffer.subarray(this.#start, this.#end));
    this.#buffer = small;
    this.#start = 0;
    this.#end = kept;
  }

  /** Finds the next delimiter line and moves past it; false until it has come whole. */
  #readDelimiter(): boolean {
    const at = indexOf(this.#buffer, this.#delimiter, this.#start, this.#end);
    if (at < 0) {
      // Skipped: what came before a delimiter, but for what may be its start.
      this.#start = Math.max(this.#start, this.#end - this.#delimiter.length + 1);
      return false;
    }
    const after = at + this.#delimiter.length;
    if (this.#end - after < 2) return false;
    if (this.#buffer[after] === DASH && this.#buffer[after + 1] === DASH) {
      this.#state = "closed";
      this.#start = this.#end;
      return false;
    }
    const lineEnd = indexOf(this.#buffer, HEADERS_END.subarray(0, 2), after, this.#end);
    if (lineEnd < 0) {
      if (this.#end - after > MAX_HEADER_BYTES) {
        throw new SyntaxError("A delimiter line is too long");
      }
      return false;
    }
    this.#start = lineEnd + 2;
    this.#state = "headers";
    return true;
  }

  /** Reads a part's headers, up to the empty line; false until they have come whole. */
  #readHeaders(): boolean {
    if (this.#end - this.#start < 2) return false;
    // A part with no headers at all starts with the empty line itself (and has no length).
    const at = this.#buffer[this.#start] === CR && this.#buffer[this.#start + 1] === LF
      ? this.#start - 2
      : indexOf(this.#buffer, HEADERS_END, this.#start, this.#end);
    if (at < 0) {
      if (this.#end - this.#start > MAX_HEADER_BYTES) {
        throw new SyntaxError("A part's headers are too long");
      }
      return false;
    }
    const text = new TextDecoder().decode(
      this.#buffer.subarray(this.#start, Math.max(at, this.#start)),
    );
    const headers = new Map<string, string>();
    for (const line of text.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    const length = headers.get("content-length") ?? "";
    if (!/^\d{1,9}$/.test(length) || Number(length) > MAX_BODY_BYTES) {
      throw new SyntaxError(`A part has no usable Content-Length: "${length.slice(0, 20)}"`);
    }
    this.#headers = headers;
    this.#bodyLength = Number(length);
    this.#start = at + 4;
    this.#state = "body";
    return true;
  }
}

/** Where `needle` first starts in `haystack[from, to)`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0];
  const last = to - needle.length;
  for (
    let i = haystack.indexOf(first, from);
    i >= 0 && i <= last;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
