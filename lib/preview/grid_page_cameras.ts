/**
 * The grid page's reading of the `cameras` of `/stats`: what it reads of
 * each, every field checked, since it comes over the network. Plain code, no
 * page around it, so the tests call it directly.
 *
 * @module
 */

/** What the grid page reads of one camera of `/stats`. */
export interface Camera {
  /** Its name: the `X-Camera` of its frames in `grid.mjpg`, and part of its path. */
  name: string;
  /** Its own page, a path on this origin, or undefined if the receiver gave none. */
  path?: string;
  /** The state of its link: `connecting`, `live`, `stalled`, `waiting` or `refused`. */
  state: string;
  /** Why it is in that state, in words. */
  stateReason: string;
  /** The name the sender gives itself, if any: any sender can give any, so never the label. */
  senderName?: string;
  /** Its latency, capture to the receiver, in ms. */
  latencyP50?: number;
}

/**
 * A camera's name, by the receiver's rule (`camera_name.ts`): at most 40
 * characters, a letter or digit, then letters, digits, `.`, `_` and `-`,
 * which a path and a header carry as they are.
 */
export const CAMERA_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/**
 * The cameras of a `/stats` answer, in display order, or undefined if it has
 * no list of them. An entry without a usable name is left out, and so is a
 * second entry of the same name.
 */
export function camerasOf(stats: unknown): Camera[] | undefined {
  const list = (stats as { cameras?: unknown } | null)?.cameras;
  if (!Array.isArray(list)) return undefined;
  const cameras: Camera[] = [];
  const seen = new Set<string>();
  for (const entry of list as Array<Record<string, unknown> | null>) {
    const name = entry?.name;
    if (typeof name !== "string" || !CAMERA_NAME.test(name) || seen.has(name)) continue;
    seen.add(name);
    const { path, state, stateReason, senderName, latencyMs } = entry!;
    const p50 = (latencyMs as { p50?: unknown } | null)?.p50;
    cameras.push({
      name,
      // A path of this origin only: never a link to another site.
      path: typeof path === "string" && /^\/(?![/\\])[^\s\\]*$/.test(path) ? path : undefined,
      state: typeof state === "string" && /^[a-z]{1,20}$/.test(state) ? state : "connecting",
      stateReason: typeof stateReason === "string" ? stateReason : "",
      senderName: typeof senderName === "string" && senderName.trim() !== ""
        ? senderName
        : undefined,
      latencyP50: typeof p50 === "number" && Number.isFinite(p50) ? p50 : undefined,
    });
  }
  return cameras;
}
