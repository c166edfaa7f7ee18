/**
 * A camera's name as the station's paths use it (`/cam/NAME/`), in
 * `grid.mjpg`'s `X-Camera`, as the `camera` label of `/metrics` and in a
 * recording's file name: a letter or digit, then letters, digits, `.`, `_`
 * and `-`, at most {@linkcode MAX_CAMERA_NAME} characters (so never `.` or
 * `..`).
 */
export const CAMERA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** Names Windows keeps for devices, whatever the extension: no file may have one. */
const WINDOWS_DEVICES = /^(?:con|prn|aux|nul|com\d|lpt\d)$/i;

/** The longest camera name. */
export const MAX_CAMERA_NAME = 40;

/**
 * A camera name made of any text (a host as typed, a name a sender
 * announces): each run of other characters becomes one `-`, and `.` or `-`
 * at either end go; `camera` when nothing is left. `kitchen cam` gives
 * `kitchen-cam`, `192.168.1.20:8080` gives `192.168.1.20-8080`, and a name
 * Windows keeps for a device (`nul`) gets `-cam` added.
 */
export function cameraName(text: string): string {
  const name = text.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, MAX_CAMERA_NAME).replace(/^[._-]+|[.-]+$/g, "");
  if (name === "") return "camera";
  // `nul.mkv` would be no file on Windows.
  return WINDOWS_DEVICES.test(name) ? `${name}-cam` : name;
}

/**
 * `name`, or when a camera already has it, `name-2`, `name-3` and so on:
 * the first not taken, still at most {@linkcode MAX_CAMERA_NAME} long.
 */
export function uniqueCameraName(name: string, taken: (name: string) => boolean): string {
  if (!taken(name)) return name;
  for (let n = 2;; n++) {
    const suffix = `-${n}`;
    const candidate = name.slice(0, MAX_CAMERA_NAME - suffix.length) + suffix;
    if (!taken(candidate)) return candidate;
  }
}
