/**
 * Where the sender's frames come from, as given on the command line:
 *
 * | spec                      | meaning                                     |
 * | ------------------------- | ------------------------------------------- |
 * | `camera`                  | the default camera                          |
 * | `camera:NAME`             | a camera by device name, path or index      |
 * | `test`                    | the built-in test pattern (no ffmpeg)       |
 * | `rtsp://…`, `http://…`, … | a live stream, anything with a URL scheme   |
 * | `file:///…`               | a local file, given as a URL                |
 * | anything else             | a local file path                           |
 */
export type SourceSpec =
  | { kind: "camera"; device?: string }
  | { kind: "test" }
  | { kind: "file"; path: string }
  | { kind: "url"; url: string };

const CAMERA_PREFIX = "camera:";
/** A URL scheme of two or more characters, so that a Windows drive letter (`C:\`) is a path. */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:\/\//;
/** The leading slash of a Windows drive path in a `file:` URL (`/C:/videos/a.mp4`). */
const FILE_URL_DRIVE = /^\/[A-Za-z]:\//;

/**
 * Reads a source spec such as `camera:1`, `test`, `clip.mp4` or `rtsp://host/stream`.
 *
 * @example
 * ```ts
 * parseSourceSpec("camera:/dev/video2"); // { kind: "camera", device: "/dev/video2" }
 * parseSourceSpec("rtsp://cam.local/live"); // { kind: "url", url: "rtsp://cam.local/live" }
 * ```
 *
 * @param spec The spec as typed by the user.
 * @returns The spec, sorted by kind.
 * @throws {TypeError} If the spec is empty or names an empty camera.
 */
export function parseSourceSpec(spec: string): SourceSpec {
  if (spec.trim() === "") {
    throw new TypeError(
      "Source is empty: pass camera, camera:NAME, test, a file path or a URL",
    );
  }
  if (spec === "camera") return { kind: "camera" };
  if (spec.startsWith(CAMERA_PREFIX)) {
    const device = spec.slice(CAMERA_PREFIX.length);
    if (device.trim() === "") {
      throw new TypeError(`Camera name is empty in "${spec}": pass camera or camera:NAME`);
    }
    return { kind: "camera", device };
  }
  if (spec === "test") return { kind: "test" };
  if (/^file:/i.test(spec)) return { kind: "file", path: filePathFromUrl(spec) };
  if (URL_SCHEME.test(spec)) return { kind: "url", url: spec };
  return { kind: "file", path: spec };
}

/**
 * Describes a source for logs: the spec as typed, with any password in a URL hidden.
 *
 * @param spec The source.
 * @returns A short one-line description, such as `camera:1` or `rtsp://admin:***@cam/live`.
 */
export function formatSourceSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case "camera":
      return spec.device === undefined ? "camera" : `${CAMERA_PREFIX}${spec.device}`;
    case "test":
      return "test";
    case "file":
      return spec.path;
    case "url":
      return hidePassword(spec.url);
  }
}

function filePathFromUrl(spec: string): string {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new TypeError(`File URL is not valid: "${spec}"`);
  }
  const path = decodeURIComponent(url.pathname);
  if (path === "") throw new TypeError(`File URL has no path: "${spec}"`);
  return FILE_URL_DRIVE.test(path) ? path.slice(1) : path;
}

function hidePassword(text: string): string {
  try {
    const url = new URL(text);
    if (url.password === "") return text;
    url.password = "***";
    return url.href;
  } catch {
    return text;
  }
}
