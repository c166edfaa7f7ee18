/// <reference lib="dom" />
/**
 * The script of the preview page (`preview_page.html`), browser code: the
 * build (`scripts/build_page.ts`) strips its types and writes it inline into
 * the page. It runs as a classic script, so its top-level functions are the
 * page's globals; its tests call `formatDuration(seconds)`,
 * `niceCeil(value)` and `snapshotName(date)`.
 *
 * @module
 */
"use strict";
// Stats come from polling /stats once a second, on purpose not from server-sent
// events: the MJPEG <img> already holds one of the browser's six HTTP/1.1
// connections to this host, and an EventSource would hold a second one per tab,
// so three open tabs would leave a fourth without a connection at all.
const POLL_MS = 1000;
const WINDOW_MS = 60000;
// The image may stand still this long while frames arrive before the stream is
// opened again; doubled after each try that changes nothing (a still scene).
const STALE_MS = 4000;
const STALE_MAX_MS = 60000;
// A stream that failed is opened again after this long, doubled while it keeps failing.
const RETRY_MS = 2000;
const RETRY_MAX_MS = 30000;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const video = $<HTMLImageElement>("video");
// The token this page was opened with, if any, goes on to every request it makes.
const TOKEN = new URLSearchParams(location.search).get("token");

/** `path` with this page's ?token=, if it was opened with one. */
function own(path: string): string {
  if (TOKEN === null) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}
if (TOKEN !== null) {
  document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href = own("favicon.svg");
}
const stage = $("stage");
/**
 * Each state's wording, as the receiver's log words it, and `unreachable`: the
 * receiver writes them in place of this placeholder as it serves the page.
 */
const LABELS: Readonly<Record<string, string>> = JSON.parse("__LINK_STATE_LABELS__");

/** "45 s", "12 min 5 s", "3 h 12 min", "2 d 5 h". */
function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (!(s >= 0)) return "-";
  if (s < 60) return s + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + (s % 60) + " s";
  const h = Math.floor(m / 60);
  if (h < 24) return h + " h " + (m % 60) + " min";
  return Math.floor(h / 24) + " d " + (h % 24) + " h";
}

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least value. */
function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const step = steps.find((n) => n * power >= value * (1 - 1e-9));
  return Number((step! * power).toPrecision(3));
}

/** "udpcam-YYYYMMDD-HHMMSS.jpg" in local time. */
function snapshotName(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return "udpcam-" + date.getFullYear() + two(date.getMonth() + 1) + two(date.getDate()) + "-" +
    two(date.getHours()) + two(date.getMinutes()) + two(date.getSeconds()) + ".jpg";
}

function fixed(value: unknown, digits: number, unit?: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "-";
  return value.toFixed(digits) + (unit ? " " + unit : "");
}

function setText(id: string, text: string): void {
  const element = $(id);
  // Only on change: screen readers announce the live state region each time it is written.
  if (element.textContent !== text) element.textContent = text;
}

// ---- Charts: the last 60 s, one sample a poll, drawn on canvases. ----

/** One sample: when (`performance.now()` ms), and the value or null for a gap. */
interface Sample {
  at: number;
  value: number | null;
}

class Chart {
  canvas: HTMLCanvasElement;
  unit: string;
  samples: Sample[];

  constructor(canvas: HTMLCanvasElement, unit: string) {
    this.canvas = canvas;
    this.unit = unit;
    this.samples = [];
  }

  push(at: number, value: unknown): void {
    this.samples.push({
      at,
      value: typeof value === "number" && Number.isFinite(value) ? value : null,
    });
    while (this.samples.length > 0 && this.samples[0].at < at - WINDOW_MS - POLL_MS) {
      this.samples.shift();
    }
    this.canvas.dataset.samples = String(this.samples.filter((s) => s.value !== null).length);
  }

  draw(now: number): void {
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    // Drawn in device pixels, so lines stay crisp on HiDPI screens.
    const ratio = globalThis.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    const context = canvas.getContext("2d")!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    const style = getComputedStyle(canvas);
    const fontSize = parseFloat(style.fontSize) || 10;
    const values = this.samples.filter((s) => s.value !== null).map((s) => s.value!);
    const top = niceCeil(Math.max(0, ...values));
    const plotTop = Math.ceil(fontSize * 1.3);
    const plotBottom = height - 1;
    const x = (at: number) => width - (now - at) / WINDOW_MS * width;
    const y = (value: number) => plotBottom - Math.min(value, top) / top * (plotBottom - plotTop);

    // Guides at the top (the labelled maximum) and half way, on whole device pixels.
    context.strokeStyle = "rgba(255, 255, 255, 0.14)";
    context.lineWidth = 1 / ratio;
    context.beginPath();
    for (const value of [top, top / 2, 0]) {
      const line = (Math.round(y(value) * ratio) + 0.5) / ratio;
      context.moveTo(0, line);
      context.lineTo(width, line);
    }
    context.stroke();

    // The samples, as runs broken where the receiver did not answer.
    const runs: Array<Array<[number, number]>> = [];
    let run: Array<[number, number]> = [];
    for (const sample of this.samples) {
      if (sample.value === null) {
        if (run.length > 0) runs.push(run);
        run = [];
      } else {
        run.push([x(sample.at), y(sample.value)]);
      }
    }
    if (run.length > 0) runs.push(run);
    context.strokeStyle = style.color;
    context.fillStyle = style.color;
    context.lineWidth = 1.5;
    context.lineJoin = "round";
    for (const points of runs) {
      context.globalAlpha = 0.18;
      context.beginPath();
      context.moveTo(points[0][0], plotBottom);
      for (const [px, py] of points) context.lineTo(px, py);
      context.lineTo(points[points.length - 1][0], plotBottom);
      context.closePath();
      context.fill();
      context.globalAlpha = 1;
      context.beginPath();
      for (const [px, py] of points) context.lineTo(px, py);
      if (points.length === 1) context.arc(points[0][0], points[0][1], 1.5, 0, 2 * Math.PI);
      context.stroke();
    }

    context.fillStyle = "rgba(255, 255, 255, 0.6)";
    context.font = fontSize + "px system-ui, sans-serif";
    context.textBaseline = "top";
    context.fillText(top + " " + this.unit, 2, 1);
    canvas.dataset.max = String(top);
  }
}

const charts = {
  fps: new Chart($<HTMLCanvasElement>("chart-fps"), "fps"),
  bitrate: new Chart($<HTMLCanvasElement>("chart-bitrate"), "Mbit/s"),
  latency: new Chart($<HTMLCanvasElement>("chart-latency"), "ms"),
};

function drawCharts(): void {
  if (document.hidden) return;
  const now = performance.now();
  for (const chart of Object.values(charts)) chart.draw(now);
}

if (typeof ResizeObserver === "function") {
  new ResizeObserver(drawCharts).observe($("charts"));
}

// ---- The MJPEG stream. ----
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
function checkStream(stats: Stats, recovered: boolean): void {
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

// ---- Fullscreen and snapshot. ----

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

// ---- Polling /stats. ----

/** What the page reads of `/stats`. It comes over the network: each field is checked before use. */
interface Stats {
  state: string;
  stateReason?: string;
  framesReceived: number;
  framesDropped?: Record<string, number>;
  packetsRecovered?: number;
  packetsRebuilt?: number;
  fps?: number;
  bitrateMbps?: number;
  width?: number;
  height?: number;
  lossPercent?: number;
  rttMs?: number;
  latencyMs?: Latency;
  preview?: { viewers: number };
  senderName?: string;
  sender?: string;
  senderStartedAt?: string;
  time: string;
}

/** The latency percentiles of `/stats`, in ms. */
interface Latency {
  p50?: number;
  p99?: number;
}

/** One poll of `/stats`: the stats, or why there are none. */
interface Polled {
  stats?: Stats;
  reason?: string;
}

function showState(state: string, reason: string | undefined): void {
  const label = LABELS[state] || String(state);
  // Why the sender refuses (a wrong key, none, or a full sender) is worth reading at a glance.
  setText("state", state === "refused" ? label + ": " + reason : label);
  $("state").dataset.state = state;
  setText("state-reason", state === "refused" ? "" : reason || "");
  const overlay = $("overlay");
  overlay.hidden = state === "live";
  overlay.dataset.state = state;
  setText("overlay", label);
  document.title = label + " · udpcam";
}

function showStats(s: Stats, at: number): void {
  document.body.dataset.stale = "false";
  showState(String(s.state), s.stateReason);
  framesReceived = Number(s.framesReceived) || 0;
  snapshotLink.setAttribute("aria-disabled", String(framesReceived === 0));
  const latency: Latency = s.latencyMs || {};
  setText("fps", fixed(s.fps, 1));
  setText("bitrate", fixed(s.bitrateMbps, 2, "Mbit/s"));
  setText("resolution", s.width && s.height ? s.width + "x" + s.height : "-");
  setText("loss", fixed(s.lossPercent, 1, "%"));
  setText("rtt", fixed(s.rttMs, 1, "ms"));
  setText("latency", fixed(latency.p50, 1, "ms"));
  setText("latency-p99", fixed(latency.p99, 1, "ms"));
  setText("frames", String(framesReceived));
  const dropped = Object.values(s.framesDropped || {}).reduce(
    (sum, n) => sum + (Number(n) || 0),
    0,
  );
  setText("dropped", String(dropped));
  setText("recovered", String((Number(s.packetsRecovered) || 0) + (Number(s.packetsRebuilt) || 0)));
  setText("viewers", s.preview ? String(s.preview.viewers) : "-");
  // The sender's name comes from the network: text only, never markup.
  setText(
    "sender-name",
    typeof s.senderName === "string" && s.senderName !== "" ? s.senderName : "-",
  );
  $("sender-name").title = typeof s.sender === "string" ? s.sender : "";
  // Both times from the receiver's clock, so this browser's clock does not matter.
  const up = (Date.parse(s.time) - Date.parse(s.senderStartedAt as string)) / 1000;
  setText("uptime", typeof s.senderStartedAt === "string" ? formatDuration(up) : "-");

  charts.fps.push(at, s.fps);
  charts.bitrate.push(at, s.bitrateMbps);
  charts.latency.push(at, latency.p50);
}

function showUnreachable(reason: string | undefined, at: number): void {
  showState("unreachable", reason);
  document.body.dataset.stale = "true";
  for (const chart of Object.values(charts)) chart.push(at, null);
}

/** The stats, or why there are none. */
async function fetchStats(): Promise<Polled> {
  let response: Response;
  try {
    response = await fetch(own("stats"), {
      cache: "no-store",
      signal: typeof AbortSignal.timeout === "function"
        ? AbortSignal.timeout(3 * POLL_MS)
        : undefined,
    });
    if (response.ok) return { stats: await response.json() };
  } catch {
    return { reason: "no answer from the receiver: it may have stopped" };
  }
  // A receiver restarted with a new random token no longer takes this page's.
  return {
    reason: response.status === 401 || response.status === 403
      ? "the receiver turned this page away (HTTP " + response.status +
        "): open the preview URL from its log again"
      : "the receiver answered HTTP " + response.status,
  };
}

let failures = 0;

async function poll(): Promise<void> {
  const started = performance.now();
  try {
    const { stats, reason } = await fetchStats();
    if (stats === undefined) {
      failures++;
      showUnreachable(reason, performance.now());
    } else {
      const recovered = failures > 0;
      failures = 0;
      showStats(stats, performance.now());
      checkStream(stats, recovered);
    }
    drawCharts();
  } finally {
    setTimeout(poll, Math.max(0, POLL_MS - (performance.now() - started)));
  }
}

poll();
