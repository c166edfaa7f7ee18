/// <reference lib="dom" />
/**
 * The script of the preview page (`preview_page.html`), browser code: the
 * build (`scripts/build_page.ts`) strips the types of this and the modules it
 * imports (`preview_page_*.ts`) and writes them inline into the page, one
 * after another in the order a browser would run them as modules. The page
 * runs them as one classic script, so their top-level names are the page's
 * globals; its tests call `formatDuration(seconds)`, `niceCeil(value)` and
 * `snapshotName(date)`. This one shows the link's state and the stats,
 * polled from `/stats`.
 *
 * @module
 */
import { $, setText } from "./preview_page_dom.ts";
import { fixed, formatDuration } from "./preview_page_format.ts";
import { fetchStats, type Latency, POLL_MS, type Stats } from "./preview_page_stats.ts";
import { charts, drawCharts } from "./preview_page_charts.ts";
import { checkStream } from "./preview_page_stream.ts";
import { enableSnapshot } from "./preview_page_controls.ts";

/**
 * Each state's wording, as the receiver's log words it, and `unreachable`: the
 * receiver writes them in place of this placeholder as it serves the page.
 */
const LABELS: Readonly<Record<string, string>> = JSON.parse("__LINK_STATE_LABELS__");

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

/**
 * The facts of the sender as last seen live (its name, uptime, round trip
 * and latency): once the stream is not live they no longer hold, and are
 * shown as of then, the uptime no longer counting.
 */
interface LiveFacts {
  name: string;
  uptime: string;
  rtt: string;
  latency: string;
  latencyP99: string;
  at: string;
}
let lastLive: LiveFacts | undefined;

function showFacts(s: Stats, latency: Latency): void {
  // Both times from the receiver's clock, so this browser's clock does not matter.
  const up = (Date.parse(s.time) - Date.parse(s.senderStartedAt as string)) / 1000;
  const facts: LiveFacts = {
    // The sender's name comes from the network: text only, never markup.
    name: typeof s.senderName === "string" && s.senderName !== "" ? s.senderName : "-",
    uptime: typeof s.senderStartedAt === "string" ? formatDuration(up) : "-",
    rtt: fixed(s.rttMs, 1, "ms"),
    latency: fixed(latency.p50, 1, "ms"),
    latencyP99: fixed(latency.p99, 1, "ms"),
    at: new Date(Date.parse(s.time)).toTimeString().slice(0, 8),
  };
  const live = s.state === "live";
  if (live) lastLive = facts;
  const shown = live ? facts : lastLive;
  const asOf = live || shown === undefined ? "" : " (as of " + shown.at + ")";
  const show = (id: string, value: string | undefined) => {
    setText(id, value === undefined || value === "-" ? "-" : value + asOf);
    $(id).dataset.asOf = String(asOf !== "");
  };
  show("sender-name", shown?.name);
  show("uptime", shown?.uptime);
  show("rtt", shown?.rtt);
  show("latency-p99", shown?.latencyP99);
  setText("latency", live ? facts.latency : "-");
}

function showBadges(s: Stats): void {
  $("badge-rec").hidden = s.recording === undefined || s.recording === null;
  $("badge-sealed").hidden = s.sealed !== true;
}

function showStats(s: Stats, at: number): void {
  document.body.dataset.stale = "false";
  showState(String(s.state), s.stateReason);
  showBadges(s);
  // The picture's own shape, so that a narrow screen gives it no black bars.
  if (Number(s.width) > 0 && Number(s.height) > 0) {
    $("stage").style.setProperty("--aspect", s.width + " / " + s.height);
  }
  const framesReceived = Number(s.framesReceived) || 0;
  enableSnapshot(framesReceived);
  const latency: Latency = s.latencyMs || {};
  setText("fps", fixed(s.fps, 1));
  setText("bitrate", fixed(s.bitrateMbps, 2, "Mbit/s"));
  setText("resolution", s.width && s.height ? s.width + "x" + s.height : "-");
  setText("loss", fixed(s.lossPercent, 1, "%"));
  showFacts(s, latency);
  setText("frames", String(framesReceived));
  const dropped = Object.values(s.framesDropped || {}).reduce(
    (sum, n) => sum + (Number(n) || 0),
    0,
  );
  setText("dropped", String(dropped));
  setText("recovered", String((Number(s.packetsRecovered) || 0) + (Number(s.packetsRebuilt) || 0)));
  setText("viewers", s.preview ? String(s.preview.viewers) : "-");
  $("sender-name").title = typeof s.sender === "string" ? s.sender : "";

  charts.fps.push(at, s.fps);
  charts.bitrate.push(at, s.bitrateMbps);
  charts.latency.push(at, latency.p50);
}

function showUnreachable(reason: string | undefined, at: number): void {
  showState("unreachable", reason);
  document.body.dataset.stale = "true";
  for (const chart of Object.values(charts)) chart.push(at, null);
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
