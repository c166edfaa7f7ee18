import { LINK_STATE_LABELS } from "../receive/receiver_link.ts";

/**
 * The preview page at `/`: the live MJPEG stream fitted to the window, with a
 * fullscreen button and a snapshot download, beside (or, on a narrow screen,
 * above) a panel with the link's state, the receiver's stats and charts of
 * the last minute, refreshed every second from `/stats`.
 *
 * Self-contained: one inline style and one inline script, no font, script or
 * image from anywhere but `stream.mjpg`, `snapshot.jpg` and `stats` of its own
 * origin, all by relative URLs, each with the `?token=` the page was opened
 * with, if any (the preview sets no cookie: a browser would send it to every
 * port of the host).
 * It needs nothing beyond the preview's CSP (`img-src 'self'; connect-src
 * 'self'` and inline script and style): the charts are drawn on canvases.
 *
 * The page script defines a few global functions that its tests call:
 * `formatDuration(seconds)`, `niceCeil(value)` and `snapshotName(date)`.
 */
export const PREVIEW_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<title>udpcam</title>
<style>
  :root {
    --bg: #0b0d10; --panel: #14171c; --tile: #1b1f26; --line: #2a2f38;
    --text: #e3e7ec; --muted: #8f99a6;
    --live: #37d67a; --warn: #f2b632; --bad: #ff5f57;
    font: clamp(13px, 0.45vw + 9px, 22px)/1.4 system-ui, -apple-system, "Segoe UI", Roboto,
      "Helvetica Neue", Arial, sans-serif;
  }
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; overflow: hidden; background: var(--bg); color: var(--text); }
  body { display: grid; grid-template-rows: minmax(0, 1fr) auto; height: 100vh; height: 100dvh; }
  /* Narrow screens: the video above, the panel below (scrolling inside itself if it must). */
  #stage { position: relative; min-width: 0; min-height: 0; background: #000; overflow: hidden; }
  #panel { min-width: 0; max-height: 62vh; max-height: 62dvh; overflow: auto; background: var(--panel);
    border-top: 1px solid var(--line); padding: .75rem; display: grid; gap: .75rem; align-content: start; }
  #charts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .4rem; }
  #charts figcaption { flex-direction: column; align-items: flex-start; }
  /* Wide screens: the panel beside the video, the charts one above the other. */
  @media (min-width: 720px) and (min-aspect-ratio: 1/1) {
    body { grid-template-rows: minmax(0, 1fr); grid-template-columns: minmax(0, 1fr) clamp(16rem, 26vw, 30rem); }
    #panel { max-height: none; border-top: 0; border-left: 1px solid var(--line); }
    #charts { grid-template-columns: minmax(0, 1fr); }
    #charts figcaption { flex-direction: row; align-items: baseline; }
  }
  #video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; display: block; }
  #stage:fullscreen { background: #000; }
  #overlay { position: absolute; top: .75rem; left: 50%; transform: translateX(-50%); margin: 0;
    padding: .3em .8em; border-radius: 999px; background: rgba(0, 0, 0, .65); font-weight: 600;
    pointer-events: none; white-space: nowrap; }
  #controls { position: absolute; right: .75rem; bottom: .75rem; display: flex; gap: .5rem; }
  .control { display: inline-flex; align-items: center; gap: .4em; padding: .4em .75em; border-radius: .5em;
    border: 1px solid rgba(255, 255, 255, .25); background: rgba(0, 0, 0, .6); color: #fff;
    font: inherit; font-size: .9rem; text-decoration: none; cursor: pointer; opacity: .75; }
  .control:hover, .control:focus-visible { opacity: 1; }
  .control:focus-visible { outline: 2px solid var(--live); outline-offset: 2px; }
  .control svg { width: 1.1em; height: 1.1em; fill: none; stroke: currentColor; stroke-width: 2;
    stroke-linecap: round; stroke-linejoin: round; }
  .control[aria-disabled="true"] { opacity: .35; cursor: not-allowed; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  h1 { margin: 0; font-size: .75rem; font-weight: 600; letter-spacing: .08em; text-transform: uppercase;
    color: var(--muted); }
  section { display: grid; gap: .2rem; min-width: 0; }
  #state { margin: 0; font-size: 1.5rem; font-weight: 700; line-height: 1.2; overflow-wrap: anywhere;
    display: flex; align-items: center; gap: .45em; }
  #state::before { content: ""; flex: none; width: .55em; height: .55em; border-radius: 50%; background: currentColor; }
  #state-reason { margin: 0; color: var(--muted); font-size: .85rem; min-height: 1.4em; overflow-wrap: anywhere; }
  [data-state="live"] { color: var(--live); }
  [data-state="connecting"], [data-state="waiting"], [data-state="stalled"] { color: var(--warn); }
  [data-state="refused"], [data-state="unreachable"] { color: var(--bad); }
  #state[data-state="live"]::before { animation: pulse 2s ease-in-out infinite; }
  @keyframes pulse { 50% { opacity: .35; } }
  @media (prefers-reduced-motion: reduce) { #state[data-state="live"]::before { animation: none; } }
  figure { margin: 0; min-width: 0; background: var(--tile); border-radius: .4rem; padding: .3rem .5rem .4rem; }
  figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline;
    gap: 0 .5em; color: var(--muted); font-size: .8rem; }
  .value { color: var(--text); font-size: 1.1rem; font-weight: 700; font-variant-numeric: tabular-nums;
    white-space: nowrap; }
  canvas { display: block; width: 100%; height: clamp(2.6rem, 8vh, 7rem); margin-top: .15rem; font-size: .7rem; }
  #chart-fps { color: var(--live); }
  #chart-bitrate { color: #5aa9ff; }
  #chart-latency { color: var(--warn); }
  dl { margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); column-gap: 1rem; }
  dl > div { display: flex; justify-content: space-between; gap: .75em; min-width: 0; padding: .18rem 0;
    border-bottom: 1px solid var(--line); font-size: .85rem; }
  dt { color: var(--muted); white-space: nowrap; }
  dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; text-align: right; min-width: 0;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  /* While the receiver does not answer, the last numbers stay, faded. */
  body[data-stale="true"] .value, body[data-stale="true"] dd { opacity: .45; }
</style>
</head>
<body>
<main id="stage" aria-label="Live video">
  <img id="video" alt="Live video from the sender">
  <p id="overlay" aria-hidden="true">connecting</p>
  <div id="controls">
    <button id="fullscreen" class="control" type="button" aria-pressed="false"
      title="Fullscreen (F); Escape leaves"><svg viewBox="0 0 24 24" aria-hidden="true">
      <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"/></svg><span>Fullscreen</span></button>
    <a id="snapshot" class="control" href="snapshot.jpg" download="udpcam.jpg"
      title="Download the current frame as a JPEG"><svg viewBox="0 0 24 24" aria-hidden="true">
      <path d="M12 4v11M7 10l5 5 5-5M5 20h14"/></svg><span>Snapshot</span></a>
  </div>
</main>
<aside id="panel" aria-label="Stream status">
  <section aria-labelledby="title">
    <h1 id="title">udpcam receiver</h1>
    <p id="state" role="status" aria-live="polite" data-state="connecting">connecting</p>
    <p id="state-reason"></p>
  </section>
  <section aria-labelledby="charts-title">
    <h2 id="charts-title" class="sr-only">The last 60 seconds</h2>
    <div id="charts">
      <figure><figcaption>fps <span id="fps" class="value">-</span></figcaption>
        <canvas id="chart-fps" role="img" aria-label="fps over the last 60 s"></canvas></figure>
      <figure><figcaption>bitrate <span id="bitrate" class="value">-</span></figcaption>
        <canvas id="chart-bitrate" role="img" aria-label="bitrate over the last 60 s"></canvas></figure>
      <figure><figcaption>latency p50 <span id="latency" class="value">-</span></figcaption>
        <canvas id="chart-latency" role="img" aria-label="latency p50 over the last 60 s"></canvas></figure>
    </div>
  </section>
  <section aria-labelledby="details-title">
    <h2 id="details-title" class="sr-only">Details</h2>
    <dl>
      <div><dt>resolution</dt><dd id="resolution">-</dd></div>
      <div><dt>loss</dt><dd id="loss">-</dd></div>
      <div><dt>round trip</dt><dd id="rtt">-</dd></div>
      <div><dt>latency p99</dt><dd id="latency-p99">-</dd></div>
      <div><dt>frames received</dt><dd id="frames">-</dd></div>
      <div><dt>frames dropped</dt><dd id="dropped">-</dd></div>
      <div><dt>packets recovered</dt><dd id="recovered">-</dd></div>
      <div><dt>viewers</dt><dd id="viewers">-</dd></div>
      <div><dt>sender</dt><dd id="sender-name">-</dd></div>
      <div><dt>sender uptime</dt><dd id="uptime">-</dd></div>
    </dl>
  </section>
</aside>
<script>
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

const $ = (id) => document.getElementById(id);
const video = $("video");
// The token this page was opened with, if any, goes on to every request it makes.
const TOKEN = new URLSearchParams(location.search).get("token");

/** \`path\` with this page's ?token=, if it was opened with one. */
function own(path) {
  if (TOKEN === null) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}
if (TOKEN !== null) document.querySelector('link[rel="icon"]').href = own("favicon.svg");
const stage = $("stage");
const LABELS = ${JSON.stringify({ ...LINK_STATE_LABELS, unreachable: "receiver unreachable" })};

/** "45 s", "12 min 5 s", "3 h 12 min", "2 d 5 h". */
function formatDuration(seconds) {
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
function niceCeil(value) {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const step = steps.find((n) => n * power >= value * (1 - 1e-9));
  return Number((step * power).toPrecision(3));
}

/** "udpcam-YYYYMMDD-HHMMSS.jpg" in local time. */
function snapshotName(date) {
  const two = (n) => String(n).padStart(2, "0");
  return "udpcam-" + date.getFullYear() + two(date.getMonth() + 1) + two(date.getDate()) + "-" +
    two(date.getHours()) + two(date.getMinutes()) + two(date.getSeconds()) + ".jpg";
}

function fixed(value, digits, unit) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "-";
  return value.toFixed(digits) + (unit ? " " + unit : "");
}

function setText(id, text) {
  const element = $(id);
  // Only on change: screen readers announce the live state region each time it is written.
  if (element.textContent !== text) element.textContent = text;
}

// ---- Charts: the last 60 s, one sample a poll, drawn on canvases. ----

class Chart {
  constructor(canvas, unit) {
    this.canvas = canvas;
    this.unit = unit;
    /** { at: performance.now() ms, value: number or null for a gap }. */
    this.samples = [];
  }

  push(at, value) {
    this.samples.push({ at, value: typeof value === "number" && Number.isFinite(value) ? value : null });
    while (this.samples.length > 0 && this.samples[0].at < at - WINDOW_MS - POLL_MS) this.samples.shift();
    this.canvas.dataset.samples = String(this.samples.filter((s) => s.value !== null).length);
  }

  draw(now) {
    const canvas = this.canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    // Drawn in device pixels, so lines stay crisp on HiDPI screens.
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    const style = getComputedStyle(canvas);
    const fontSize = parseFloat(style.fontSize) || 10;
    const values = this.samples.filter((s) => s.value !== null).map((s) => s.value);
    const top = niceCeil(Math.max(0, ...values));
    const plotTop = Math.ceil(fontSize * 1.3);
    const plotBottom = height - 1;
    const x = (at) => width - (now - at) / WINDOW_MS * width;
    const y = (value) => plotBottom - Math.min(value, top) / top * (plotBottom - plotTop);

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
    const runs = [];
    let run = [];
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
  fps: new Chart($("chart-fps"), "fps"),
  bitrate: new Chart($("chart-bitrate"), "Mbit/s"),
  latency: new Chart($("chart-latency"), "ms"),
};

function drawCharts() {
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
  fingerprint: undefined,
  changedAt: performance.now(),
  framesAtChange: 0,
};
const thumbnail = document.createElement("canvas");
thumbnail.width = 32;
thumbnail.height = 18;
const thumbnailContext = thumbnail.getContext("2d", { willReadFrequently: true });

function openStream() {
  stream.open = true;
  stream.broken = false;
  stream.openedAt = performance.now();
  stream.changedAt = stream.openedAt;
  stream.fingerprint = undefined;
  video.src = own("stream.mjpg?t=" + Date.now().toString(36));
  video.dataset.opened = String(Number(video.dataset.opened || 0) + 1);
}

function dropStream() {
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
function pictureFingerprint() {
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
function checkStream(stats, recovered) {
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

function toggleFullscreen() {
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
  fullscreenButton.querySelector("span").textContent = on ? "Exit fullscreen" : "Fullscreen";
  fullscreenButton.setAttribute("aria-pressed", String(on));
});

let framesReceived = 0;
const snapshotLink = $("snapshot");
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

function showState(state, reason) {
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

function showStats(s, at) {
  document.body.dataset.stale = "false";
  showState(String(s.state), s.stateReason);
  framesReceived = Number(s.framesReceived) || 0;
  snapshotLink.setAttribute("aria-disabled", String(framesReceived === 0));
  const latency = s.latencyMs || {};
  setText("fps", fixed(s.fps, 1));
  setText("bitrate", fixed(s.bitrateMbps, 2, "Mbit/s"));
  setText("resolution", s.width && s.height ? s.width + "x" + s.height : "-");
  setText("loss", fixed(s.lossPercent, 1, "%"));
  setText("rtt", fixed(s.rttMs, 1, "ms"));
  setText("latency", fixed(latency.p50, 1, "ms"));
  setText("latency-p99", fixed(latency.p99, 1, "ms"));
  setText("frames", String(framesReceived));
  const dropped = Object.values(s.framesDropped || {}).reduce((sum, n) => sum + (Number(n) || 0), 0);
  setText("dropped", String(dropped));
  setText("recovered", String((Number(s.packetsRecovered) || 0) + (Number(s.packetsRebuilt) || 0)));
  setText("viewers", s.preview ? String(s.preview.viewers) : "-");
  // The sender's name comes from the network: text only, never markup.
  setText("sender-name", typeof s.senderName === "string" && s.senderName !== "" ? s.senderName : "-");
  $("sender-name").title = typeof s.sender === "string" ? s.sender : "";
  // Both times from the receiver's clock, so this browser's clock does not matter.
  const up = (Date.parse(s.time) - Date.parse(s.senderStartedAt)) / 1000;
  setText("uptime", typeof s.senderStartedAt === "string" ? formatDuration(up) : "-");

  charts.fps.push(at, s.fps);
  charts.bitrate.push(at, s.bitrateMbps);
  charts.latency.push(at, latency.p50);
}

function showUnreachable(reason, at) {
  showState("unreachable", reason);
  document.body.dataset.stale = "true";
  for (const chart of Object.values(charts)) chart.push(at, null);
}

/** The stats, or why there are none. */
async function fetchStats() {
  let response;
  try {
    response = await fetch(own("stats"), {
      cache: "no-store",
      signal: typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(3 * POLL_MS) : undefined,
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

async function poll() {
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
</script>
</body>
</html>
`;
