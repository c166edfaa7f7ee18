/// <reference lib="dom" />
/**
 * One tile of the grid page: a camera's picture on a canvas, its name (the
 * station's, which is unique, then the one its sender gives itself, if
 * another), its state and its latency, and a link to its own page.
 *
 * Frames come faster than a slow page can take them, so each stage keeps
 * only the newest: of the frames received one waits for decoding, of the
 * decoded one waits for drawing (an older one is closed, its memory given
 * back at once), and each frame passed over is counted in `data-skipped`.
 *
 * @module
 */
import type { Camera } from "./grid_page_cameras.ts";
import { clockOffset } from "./grid_page_clock.ts";
import { LatencyWindow } from "./grid_page_latency.ts";
import { type Paintable, requestPaint } from "./grid_page_paint.ts";
import type { Part } from "./grid_page_part_stream.ts";

/** What a tile keeps of a frame besides its picture. */
interface FrameFacts {
  /** Its capture time on the receiver's clock, in seconds since the epoch, if given. */
  timestamp: number;
  /** Set on a frame the receiver drew itself in place of video: `lost`, `waiting` or `refused`. */
  signal: string | undefined;
}

const TEMPLATE = document.getElementById("tile-template") as HTMLTemplateElement;

/** One camera's tile. */
export class Tile implements Paintable {
  /** The camera's name. */
  readonly name: string;
  /** The tile's element, `data-camera` its name. */
  readonly element: HTMLElement;
  /** The latency to the screen of the frames it painted. */
  readonly latency: LatencyWindow = new LatencyWindow();
  /** When it was made, `performance.now()` ms. */
  readonly madeAt: number = performance.now();
  /** Whether `/stats` has listed the camera (else its frames made the tile). */
  listed = false;
  #labels: Readonly<Record<string, string>>;
  #canvas: HTMLCanvasElement;
  /** The canvas's box on the screen in device pixels; undefined until laid out. */
  #box: { width: number; height: number } | undefined;
  #context: CanvasRenderingContext2D;
  #painted = 0;
  #skipped = 0;
  #broken = 0;
  #received: { blob: Blob; facts: FrameFacts } | undefined;
  #decoding = false;
  #decoded: { bitmap: ImageBitmap; facts: FrameFacts } | undefined;
  #drawn: FrameFacts | undefined;
  #removed = false;
  #receiverP50: number | undefined;

  /**
   * @param name The camera's name.
   * @param labels Each link state's wording, as the log words it.
   */
  constructor(name: string, labels: Readonly<Record<string, string>>) {
    this.name = name;
    this.#labels = labels;
    this.element = (TEMPLATE.content.firstElementChild as HTMLElement).cloneNode(
      true,
    ) as HTMLElement;
    this.element.dataset.camera = name;
    this.#canvas = this.#part("canvas");
    this.#context = this.#canvas.getContext("2d")!;
    // The canvas's box on the screen, in device pixels, as layout changes it.
    new ResizeObserver(([entry]) => {
      const box = entry.devicePixelContentBoxSize?.[0];
      this.#box = box === undefined
        ? {
          width: entry.contentRect.width * devicePixelRatio,
          height: entry.contentRect.height * devicePixelRatio,
        }
        : { width: box.inlineSize, height: box.blockSize };
    }).observe(this.#canvas);
    this.#part("button").setAttribute("aria-label", "Show " + name + " alone");
    this.show({ name, state: "connecting", stateReason: "not yet in the receiver's stats" });
  }

  /** Takes a frame of this camera from `grid.mjpg`, in place of any still waiting for decoding. */
  offer(part: Part): void {
    if (this.#received !== undefined) this.#skip();
    const timestamp = Number(part.headers.get("x-timestamp"));
    this.#received = {
      blob: new Blob([part.body], { type: "image/jpeg" }),
      facts: { timestamp, signal: part.headers.get("x-signal") },
    };
    this.#decode();
  }

  /** Shows what `/stats` says of the camera. */
  show(camera: Camera): void {
    const element = this.element;
    const label = this.#labels[camera.state] || camera.state;
    element.dataset.state = camera.state;
    const live = camera.state === "live";
    const state = this.#part(".tile-state");
    setText(state, live ? label : camera.state === "refused" ? "no signal: refused" : "no signal");
    state.title = camera.stateReason === "" ? label : label + ": " + camera.stateReason;
    // The label is the station's name, which is unique: any sender may call itself "Front
    // door". The name it gives comes second, as text only, never markup.
    const sender = camera.senderName !== undefined && camera.senderName !== camera.name
      ? camera.senderName
      : "";
    setText(this.#part(".tile-name"), camera.name);
    setText(this.#part(".tile-sender"), sender);
    this.#part(".tile-name").title = sender === ""
      ? camera.name
      : camera.name + " (the sender calls itself " + sender + ")";
    const link = this.#part<HTMLAnchorElement>(".tile-open");
    link.hidden = camera.path === undefined;
    // The bare path, never the token: a link's address goes into the browser's history. The
    // camera's page opens all the same, with the token this origin keeps (`page_token.ts`).
    if (camera.path !== undefined) link.href = camera.path;
    link.setAttribute("aria-label", "Open " + camera.name + "'s own page");
    this.#receiverP50 = camera.latencyP50;
    this.showLatency();
  }

  /** Shows the latency percentiles as of now. */
  showLatency(): void {
    const screen = this.latency.summary(performance.now());
    const receiver = this.#receiverP50;
    setText(
      this.#part(".tile-screen"),
      screen.p50 === undefined || screen.p99 === undefined
        ? "screen -"
        : "screen " + Math.round(screen.p50) + " / " + Math.round(screen.p99) + " ms",
    );
    setText(
      this.#part(".tile-receiver"),
      "to receiver " + (receiver === undefined ? "-" : Math.round(receiver) + " ms"),
    );
  }

  /** Numbers the tile for its key, 1 to 9, or none. */
  setKey(key: number | undefined): void {
    setText(this.#part(".tile-key"), key === undefined ? "" : String(key));
  }

  /** Shows or hides the tile; a hidden tile decodes nothing, keeping its newest frame for later. */
  setShown(shown: boolean, alone: boolean): void {
    this.element.hidden = !shown;
    this.#part("button").setAttribute("aria-pressed", String(alone));
    if (shown) this.#decode();
  }

  /** Takes the tile off the page and lets go of its pictures. */
  remove(): void {
    this.#removed = true;
    this.element.remove();
    this.#decoded?.bitmap.close();
    this.#decoded = undefined;
    this.#received = undefined;
  }

  draw(): boolean {
    const decoded = this.#decoded;
    if (decoded === undefined || this.#removed) return false;
    this.#decoded = undefined;
    const { bitmap } = decoded;
    // The canvas takes the picture's shape at the size it shows at (never
    // larger than the picture): drawn to scale once here, not scaled again
    // by the compositor at every frame. CSS letterboxes it in the tile.
    const box = this.#box;
    const scale = box === undefined || box.width === 0 || box.height === 0
      ? 1
      : Math.min(1, box.width / bitmap.width, box.height / bitmap.height);
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    if (this.#canvas.width !== width) this.#canvas.width = width;
    if (this.#canvas.height !== height) this.#canvas.height = height;
    this.#context.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    this.#drawn = decoded.facts;
    return true;
  }

  presented(at: number): void {
    const facts = this.#drawn;
    if (facts === undefined || this.#removed) return;
    this.#drawn = undefined;
    this.#painted++;
    this.element.dataset.painted = String(this.#painted);
    const clock = clockOffset();
    // The receiver's own no-signal pictures say nothing of a camera's latency.
    if (facts.signal === undefined && clock !== undefined && facts.timestamp > 0) {
      this.latency.add(at + clock.offsetMs - facts.timestamp * 1000, performance.now());
    }
  }

  /** Decodes the newest frame received, one at a time, while the tile is on show. */
  async #decode(): Promise<void> {
    if (this.#decoding || this.#received === undefined || this.element.hidden) return;
    const { blob, facts } = this.#received;
    this.#received = undefined;
    this.#decoding = true;
    try {
      const bitmap = await createImageBitmap(blob);
      if (this.#removed) {
        bitmap.close();
        return;
      }
      if (this.#decoded !== undefined) {
        this.#decoded.bitmap.close();
        this.#skip();
      }
      this.#decoded = { bitmap, facts };
      requestPaint(this);
    } catch {
      // Not a picture the browser can decode: the next frame may be.
      this.#broken++;
      this.element.dataset.broken = String(this.#broken);
    } finally {
      this.#decoding = false;
      if (!this.#removed) this.#decode();
    }
  }

  #skip(): void {
    this.#skipped++;
    this.element.dataset.skipped = String(this.#skipped);
  }

  #part<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.element.querySelector(selector) as T;
  }
}

/** Sets an element's text, only when it changes. */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
