/**
 * The preview page at `/`: the live MJPEG stream fitted to the window and the
 * receiver's stats, refreshed every second from `/stats`. Self-contained: no
 * script, style or font from the network.
 */
export const PREVIEW_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>udpcam</title>
<style>
  html, body { margin: 0; height: 100%; background: #111; color: #ddd;
    font: 14px/1.4 system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  main { flex: 1; min-height: 0; display: flex; align-items: center; justify-content: center; }
  #video { width: 100%; height: 100%; object-fit: contain; }
  footer { display: flex; flex-wrap: wrap; gap: 0 1.5em; padding: .5em 1em; background: #1c1c1c; }
  footer b { color: #fff; font-weight: 600; }
  #state[data-state="live"] { color: #4c4; }
  #state[data-state="stalled"], #state[data-state="connecting"] { color: #fc3; }
  #state[data-state="waiting"], #state[data-state="refused"] { color: #f66; }
</style>
</head>
<body>
<main><img id="video" src="stream.mjpg" alt="live video"></main>
<footer id="stats">
  <span>state <b id="state" data-state="connecting">connecting</b></span>
  <span>fps <b id="fps">-</b></span>
  <span>bitrate <b id="bitrate">-</b></span>
  <span>size <b id="size">-</b></span>
  <span>latency p50/p99 <b id="latency">-</b></span>
  <span>rtt <b id="rtt">-</b></span>
  <span>frames <b id="frames">-</b></span>
  <span>dropped <b id="dropped">-</b></span>
  <span>loss <b id="loss">-</b></span>
  <span>recovered <b id="recovered">-</b></span>
  <span>packets lost <b id="lost">-</b></span>
  <span>viewers <b id="viewers">-</b></span>
</footer>
<script>
const $ = (id) => document.getElementById(id);
const labels = { live: "live", stalled: "no video", connecting: "connecting",
  waiting: "waiting for sender", refused: "refused" };
const ms = (v) => v === undefined || v === null ? "-" : v.toFixed(1) + " ms";
async function refresh() {
  try {
    const s = await (await fetch("stats", { cache: "no-store" })).json();
    const label = labels[s.state] ?? s.state;
    // Why the sender refuses (a wrong key, none, or a full sender) is worth reading at a glance.
    $("state").textContent = s.state === "refused" ? label + ": " + s.stateReason : label;
    $("state").title = s.stateReason ?? "";
    $("state").dataset.state = s.state;
    $("fps").textContent = s.fps.toFixed(1);
    $("bitrate").textContent = s.bitrateMbps.toFixed(2) + " Mbit/s";
    $("size").textContent = s.width ? s.width + "x" + s.height : "-";
    $("latency").textContent = ms(s.latencyMs.p50) + " / " + ms(s.latencyMs.p99);
    $("rtt").textContent = ms(s.rttMs);
    $("frames").textContent = s.framesReceived;
    const d = s.framesDropped;
    $("dropped").textContent = Object.values(d).reduce((a, b) => a + b, 0);
    $("loss").textContent = s.lossPercent.toFixed(1) + " %";
    $("recovered").textContent = s.packetsRecovered + s.packetsRebuilt;
    $("lost").textContent = s.packetsLost;
    $("viewers").textContent = s.preview.viewers;
  } catch {
    $("state").textContent = "receiver unreachable";
    $("state").dataset.state = "waiting";
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
