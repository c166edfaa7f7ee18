/**
 * An HTTP/1.x request's head: the request line and the header fields, up to
 * the empty line that ends them (RFC 9112, sections 2 to 5).
 *
 * ```
 * GET /stream.mjpg?fps=5 HTTP/1.1\r\n      request line: method SP target SP version
 * Host: 127.0.0.1:8081\r\n                 field line: name ":" OWS value OWS
 * \r\n                                     the end of the head
 * ```
 */
export interface RequestHead {
  /** The method, as sent (case counts): `GET`. */
  method: string;
  /** The request target, as sent: `/stream.mjpg?fps=5`, or a whole `http://` URL. */
  target: string;
  /** The protocol version. */
  version: "HTTP/1.0" | "HTTP/1.1";
  /** The header fields in order, names in lower case, values without surrounding white space. */
  headers: Array<[string, string]>;
}

/** A head that breaks the syntax or the limits, with the status to answer it. */
export class RequestHeadError extends Error {
  /** The status to answer with: 400, 431 (too many fields) or 505 (another version). */
  readonly status: 400 | 431 | 505;

  /** Makes the error for `status`. */
  constructor(status: 400 | 431 | 505, message: string) {
    super(message);
    this.name = "RequestHeadError";
    this.status = status;
  }
}

/** The most header fields a head may have. */
export const MAX_HEADER_FIELDS = 100;

/** A token (RFC 9110, 5.6.2): a method or a field name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A request target: visible ASCII, no white space. */
const TARGET = /^[\x21-\x7e]+$/;
/** A field value: visible characters, spaces and tabs (obs-text taken as Latin-1). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Where the head that starts `bytes` ends: the index just past its empty
 * line (`\r\n\r\n`), or -1 while it is not whole. `from` is where to start
 * looking, a few bytes before what was read last.
 */
export function headEnd(bytes: Uint8Array, from = 0): number {
  for (let i = bytes.indexOf(0x0d, Math.max(0, from)); i !== -1; i = bytes.indexOf(0x0d, i + 1)) {
    if (i + 3 >= bytes.length) return -1;
    if (bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) return i + 4;
  }
  return -1;
}

/**
 * Reads a whole head, `\r\n\r\n` included, as {@linkcode headEnd} finds it.
 * Strict: lines end with CRLF only, no white space before a field's colon or
 * at a line's start (no obsolete line folding), tokens and values of the
 * characters the grammar allows.
 *
 * @throws {RequestHeadError} If the head breaks the grammar or has more than {@linkcode MAX_HEADER_FIELDS} fields.
 */
export function parseRequestHead(bytes: Uint8Array): RequestHead {
  // Latin-1, one character a byte, so nothing is lost or merged.
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  if (!text.endsWith("\r\n\r\n")) throw new RequestHeadError(400, "The head does not end");
  const lines = text.slice(0, -4).split("\r\n");
  for (const line of lines) {
    if (line.includes("\r") || line.includes("\n")) {
      throw new RequestHeadError(400, "A line ends without CRLF");
    }
  }
  const [method, target, version, ...rest] = lines[0].split(" ");
  if (rest.length > 0 || method === undefined || target === undefined || version === undefined) {
    throw new RequestHeadError(400, "The request line is not method, target and version");
  }
  if (!TOKEN.test(method)) throw new RequestHeadError(400, "The method is not a token");
  if (!TARGET.test(target)) {
    throw new RequestHeadError(400, "The target has white space or controls");
  }
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
    throw new RequestHeadError(505, "Only HTTP/1.0 and HTTP/1.1 are spoken here");
  }
  const fields = lines.slice(1);
  if (fields.length > MAX_HEADER_FIELDS) {
    throw new RequestHeadError(431, `More than ${MAX_HEADER_FIELDS} header fields`);
  }
  const headers: Array<[string, string]> = [];
  for (const field of fields) {
    const colon = field.indexOf(":");
    const name = field.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new RequestHeadError(400, "A header field has no name, or a name that is not a token");
    }
    const value = field.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, "");
    if (!FIELD_VALUE.test(value)) {
      throw new RequestHeadError(400, `The value of ${name} has control characters`);
    }
    headers.push([name.toLowerCase(), value]);
  }
  return { method, target, version, headers };
}
