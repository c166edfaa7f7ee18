/** An RTSP URL read: where to connect, the URL requests name, and any credentials. */
export interface RtspUrl {
  /** The URL as requests name it: no credentials, no trailing slash. */
  url: string;
  hostname: string;
  port: number;
  username?: string;
  password?: string;
}

/** RTSP's well-known port. */
const RTSP_PORT = 554;

/**
 * Reads `rtsp://[USER[:PASS]@]HOST[:PORT]/PATH`.
 *
 * @throws {RangeError} For anything else, with what to give (and for
 * `rtsps://`, which is not spoken).
 */
export function parseRtspUrl(text: string): RtspUrl {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new RangeError(`needs a URL such as rtsp://HOST:8554/cam, got "${text}"`);
  }
  if (parsed.protocol === "rtsps:") {
    throw new RangeError("rtsps:// (RTSP over TLS) is not spoken; use rtsp://");
  }
  if (parsed.protocol !== "rtsp:" || parsed.hostname === "") {
    throw new RangeError(`needs a URL such as rtsp://HOST:8554/cam, got "${text}"`);
  }
  if (parsed.pathname === "" || parsed.pathname === "/") {
    throw new RangeError(`needs the stream's path, such as rtsp://${parsed.host}/cam`);
  }
  const port = parsed.port === "" ? RTSP_PORT : Number(parsed.port);
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const path = parsed.pathname.replace(/\/+$/, "") + parsed.search;
  return {
    url: `rtsp://${host}:${port}${path}`,
    hostname,
    port,
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
  };
}

/** The URL for logs: its password, if any, hidden. */
export function redactRtspUrl(url: RtspUrl): string {
  if (url.username === undefined) return url.url;
  return url.url.replace("rtsp://", `rtsp://${encodeURIComponent(url.username)}:***@`);
}
