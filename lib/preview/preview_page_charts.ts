/// <reference lib="dom" />
/**
 * The preview page's charts: the last 60 s, one sample a poll, drawn on
 * canvases.
 *
 * @module
 */
import { $ } from "./preview_page_dom.ts";
import { niceCeil } from "./preview_page_format.ts";
import { POLL_MS } from "./preview_page_stats.ts";

const WINDOW_MS = 60000;

/** One sample: when (`performance.now()` ms), and the value or null for a gap. */
interface Sample {
  at: number;
  value: number | null;
}

/** One chart: its canvas, its unit, and the samples it draws. */
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

/** The page's charts, by what they show. */
export const charts = {
  fps: new Chart($<HTMLCanvasElement>("chart-fps"), "fps"),
  bitrate: new Chart($<HTMLCanvasElement>("chart-bitrate"), "Mbit/s"),
  latency: new Chart($<HTMLCanvasElement>("chart-latency"), "ms"),
};

/** Draws every chart, unless the page is hidden. */
export function drawCharts(): void {
  if (document.hidden) return;
  const now = performance.now();
  for (const chart of Object.values(charts)) chart.draw(now);
}

if (typeof ResizeObserver === "function") {
  new ResizeObserver(drawCharts).observe($("charts"));
}
