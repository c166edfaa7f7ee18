/// <reference lib="dom" />
/**
 * The preview page's MJPEG stream, opened again when it breaks or stands
 * still.
 *
 * @module
 */
import { own, video } from "./preview_page_dom.ts";
import { drawCharts } from "./preview_page_charts.ts";
import type { Stats } from "./preview_page_stats.ts";

// The image may stand still this long while frames arrive before the stream is
// opened again; doubled after each try that changes nothing (a still scene).
const STALE_MS = 4000;
const STALE_MAX_MS = 60000;
// A stream that failed is opened again after this long, doubled while it keeps failing.
const RETRY_MS = 2000;
const RETRY_MAX_MS = 30000;

// Browsers never reopen an MJPEG <img> whose connection ended (the receiver
// restarted, the network dropped): the page opens it again, with a new query
// so no cache answers, when the image reports an error, when /stats answers
// again after failing, or when the picture stands still while /stats counts
// frames coming in (Chromium ends such a stream without an error event).
// The load event is no use here: Firefox fires it for every frame, Chromium
// once or never. Firefox also keeps downloading MJPEG in a hidden tab, so the
// stream is dropped while the page is hidden and opened again when it shows.
// Chromium shows a part only once the boundary after it arrives; the receiver
// writes that boundary right after each frame (lib/preview/mjpeg.ts), so no frame
// waits for the next one.

const stream = {
  open: true,
  broken: false,
  openedAt: performance.now(),
  staleMs: STALE_MS,
  retryMs: RETRY_MS,
  fingerprint: undefined as number | undefined,
  changedAt: performance.now(),
  framesAtChange: 0,
};
const thumbnail = document.createElement("canvas");
thumbnail.width = 32;
thumbnail.height = 18;
const thumbnailContext = thumbnail.getContext("2d", { willReadFrequently: true })!;

function openStream(): void {
  stream.open = true;
  stream.broken = false;
  stream.openedAt = performance.now();
  stream.changedAt = stream.openedAt;
  stream.fingerprint = undefined;
  video.src = own("stream.mjpg?t=" + Date.now().toString(36));
  video.dataset.opened = String(Number(video.dataset.opened || 0) + 1);
}

function dropStream(): void {
  stream.open = false;
  // Without a src the browser ends the request (an empty src would fire an error instead).
  video.removeAttribute("src");
}

video.addEventListener("error", () => {
  if (stream.open) stream.broken = true;
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    dropStream();
  } else {
    openStream();
    drawCharts();
  }
});
if (document.hidden) dropStream();
else openStream();

/** A cheap digest of the picture on show, or undefined before the first frame. */
function pictureFingerprint(): number | undefined {
  if (!video.getAttribute("src") || video.naturalWidth === 0) return undefined;
  try {
    thumbnailContext.drawImage(video, 0, 0, thumbnail.width, thumbnail.height);
    const data = thumbnailContext.getImageData(0, 0, thumbnail.width, thumbnail.height).data;
    let hash = 2166136261;
    for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i], 16777619);
    return hash >>> 0;
  } catch {
    return undefined;
  }
}

/** Opens the stream again if it broke, or if the picture stands still while frames arrive. */
export function checkStream(stats: Stats, recovered: boolean): void {
  if (!stream.open) return;
  const now = performance.now();
  if (recovered) {
    stream.retryMs = RETRY_MS;
    openStream();
    return;
  }
  if (stream.broken) {
    if (now - stream.openedAt > stream.retryMs) {
      stream.retryMs = Math.min(2 * stream.retryMs, RETRY_MAX_MS);
      openStream();
    }
    return;
  }
  const fingerprint = pictureFingerprint();
  const frames = stats.framesReceived;
  if (fingerprint !== undefined && fingerprint !== stream.fingerprint) {
    if (stream.fingerprint !== undefined) {
      stream.staleMs = STALE_MS;
      stream.retryMs = RETRY_MS;
    }
    stream.fingerprint = fingerprint;
    stream.changedAt = now;
    stream.framesAtChange = frames;
    return;
  }
  const still = now - Math.max(stream.changedAt, stream.openedAt);
  if (stats.state === "live" && frames > stream.framesAtChange + 1 && still > stream.staleMs) {
    stream.staleMs = Math.min(2 * stream.staleMs, STALE_MAX_MS);
    openStream();
  }
}
