/**
 * A camera's name as the station's paths use it (`/cam/NAME/`), in
 * `grid.mjpg`'s `X-Camera` and as the `camera` label of `/metrics`: letters,
 * digits, `.`, `_` and `-`, at most {@linkcode MAX_CAMERA_NAME} characters.
 */
export const CAMERA_NAME = /^[A-Za-z0-9._-]{1,40}$/;

/** The longest camera name. */
export const MAX_CAMERA_NAME = 40;

/**
 * A camera name made of any text (a host as typed, a name a sender
 * announces): each run of other characters becomes one `-`, and `.` or `-`
 * at either end go; `camera` when nothing is left. `kitchen cam` gives
 * `kitchen-cam`, `192.168.1.20:8080` gives `192.168.1.20-8080`.
 */
export function cameraName(text: string): string {
  const name = text.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, MAX_CAMERA_NAME).replace(/^[.-]+|[.-]+$/g, "");
  return name === "" ? "camera" : name;
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
