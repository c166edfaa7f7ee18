/// <reference lib="dom" />
/**
 * The preview page's fullscreen button and snapshot link.
 *
 * @module
 */
import { $, own, stage, video } from "./preview_page_dom.ts";
import { snapshotName } from "./preview_page_format.ts";

const fullscreenButton = $("fullscreen");
if (!document.fullscreenEnabled || typeof stage.requestFullscreen !== "function") {
  fullscreenButton.hidden = true;
}

function toggleFullscreen(): void {
  if (document.fullscreenElement) {
    document.exitFullscreen().catch(() => {});
  } else if (document.fullscreenEnabled) {
    stage.requestFullscreen().catch(() => {});
  }
}

fullscreenButton.addEventListener("click", toggleFullscreen);
video.addEventListener("dblclick", toggleFullscreen);
document.addEventListener("keydown", (event) => {
  const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
  if (plain && (event.key === "f" || event.key === "F")) toggleFullscreen();
});
// Escape leaves fullscreen by itself; the label follows whichever way it went.
document.addEventListener("fullscreenchange", () => {
  const on = document.fullscreenElement === stage;
  fullscreenButton.querySelector("span")!.textContent = on ? "Exit fullscreen" : "Fullscreen";
  fullscreenButton.setAttribute("aria-pressed", String(on));
});

let framesReceived = 0;
const snapshotLink = $<HTMLAnchorElement>("snapshot");
snapshotLink.href = own("snapshot.jpg");
snapshotLink.addEventListener("click", (event) => {
  // Before the first frame the receiver has no snapshot to give.
  if (framesReceived === 0) {
    event.preventDefault();
    return;
  }
  // Same origin, so the download attribute names the file in Chromium and Firefox.
  snapshotLink.download = snapshotName(new Date());
});

/** Tells the snapshot link how many frames the receiver has had: none leaves it disabled. */
export function enableSnapshot(frames: number): void {
  framesReceived = frames;
  snapshotLink.setAttribute("aria-disabled", String(framesReceived === 0));
}
