/// <reference lib="dom" />
/**
 * The grid page's poll of `/stats`: the cameras, or why there are none.
 *
 * @module
 */
import { own } from "./page_token.ts";
import { type Camera, camerasOf } from "./grid_page_cameras.ts";

/**
 * How often the page polls `/stats`, in ms: once a second, as the preview
 * page does, on purpose not by server-sent events, which would hold one more
 * of the browser's six HTTP/1.1 connections to this host for as long as the
 * page is open.
 */
export const POLL_MS = 1000;

/** One poll of `/stats`: the cameras, or why there are none. */
export interface Polled {
  cameras?: Camera[];
  reason?: string;
}

/** The cameras, or why there are none. */
export async function fetchCameras(): Promise<Polled> {
  let response: Response;
  try {
    response = await fetch(own("stats"), {
      cache: "no-store",
      signal: AbortSignal.timeout(3 * POLL_MS),
    });
  } catch {
    return { reason: "no answer from the receiver: it may have stopped" };
  }
  if (!response.ok) {
    await response.body?.cancel();
    // A receiver restarted with a new random token no longer takes this page's.
    return {
      reason: response.status === 401 || response.status === 403
        ? "the receiver turned this page away (HTTP " + response.status +
          "): open the URL from its log again"
        : "the receiver answered HTTP " + response.status,
    };
  }
  let cameras: Camera[] | undefined;
  try {
    cameras = camerasOf(await response.json());
  } catch {
    cameras = undefined;
  }
  return cameras === undefined ? { reason: "the receiver's stats hold no cameras" } : { cameras };
}
