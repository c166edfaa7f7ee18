/**
 * A stand-in station for the grid page's tests: serves `GRID_PAGE` with the
 * preview's CSP, a `grid.mjpg` of small JPEGs (each camera its own colour,
 * a white bar moving across it) stamped a known delay before they are sent,
 * `stats` from cameras the test changes as it goes, `time` on a clock the
 * test may set ahead (and set again as it goes), and a `screen-latency` that
 * keeps what it gets.
 *
 * @module
 */
import { concatBytes } from "../../lib/util/concat_bytes.ts";
import { Image } from "imagescript";
import { GRID_PAGE } from "../../lib/preview/grid_page.ts";

/** The CSP the receiver serves its pages with. */
export const CSP = "default-src 'none'; img-src 'self'; connect-src 'self'; " +
  "script-src 'unsafe-inline'; style-src 'unsafe-inline'";

/** Frames a camera loops through. */
const FRAMES = 6;
const WIDTH = 160;
const HEIGHT = 90;

/** One camera of the stand-in station, as the test sets it. */
export interface FakeCamera {
  name: string;
  state: string;
  stateReason: string;
  senderName?: string;
  /** Its frames' background, as 0xRRGGBB. */
  colour: number;
  /** Whether `grid.mjpg` carries its frames. */
  sending: boolean;
  /** Whether `stats` lists it. */
  listed: boolean;
  /** The `X-Signal` of its frames, if any. */
  signal?: string;
  /** `latencyMs.p50` in its stats. */
  receiverP50?: number;
}

/** How the station behaves. */
export interface GridFixtureOptions {
  /** Frames a second of each camera. @default {10} */
  fps?: number;
  /** How long before it is sent a frame's X-Timestamp says it was captured, in ms. @default {0} */
  delayMs?: number;
  /** How far the station's clock (`time`, X-Timestamp) is ahead of this machine's, in ms. @default {0} */
  clockAheadMs?: number;
}

/** A report the page sent to `screen-latency`: each camera's samples, in order. */
export type Report = Array<[string, number[]]>;

/** The stand-in station. */
export class GridFixture {
  /** The page's URL. */
  readonly url: string;
  /** The cameras, in display order; the test adds, changes and deletes them. */
  readonly cameras: Map<string, FakeCamera> = new Map();
  /** Every request, as it came. */
  readonly requests: URL[] = [];
  /** What `screen-latency` got. */
  readonly reports: Report[] = [];
  /** While true, `stats` answers 503. */
  statsFail = false;
  /** How far the station's clock (`time`, X-Timestamp) is ahead of this machine's, in ms; the test may set it. */
  clockAheadMs: number;
  #options: Required<GridFixtureOptions>;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #streams = new Set<{ stop(): void }>();
  #jpegs = new Map<number, Uint8Array[]>();

  constructor(options: GridFixtureOptions = {}) {
    this.#options = { fps: 10, delayMs: 0, clockAheadMs: 0, ...options };
    this.clockAheadMs = this.#options.clockAheadMs;
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#serve(request),
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}/`;
  }

  /** Adds a live camera sending frames of `colour`, after making them. */
  async add(name: string, colour: number, fields: Partial<FakeCamera> = {}): Promise<FakeCamera> {
    if (!this.#jpegs.has(colour)) this.#jpegs.set(colour, await makeFrames(colour));
    const camera: FakeCamera = {
      name,
      state: "live",
      stateReason: "frames arriving",
      colour,
      sending: true,
      listed: true,
      ...fields,
    };
    this.cameras.set(name, camera);
    return camera;
  }

  /** How many times `path` was asked for. */
  count(path: string): number {
    return this.requests.filter((url) => url.pathname === path).length;
  }

  /** How many `grid.mjpg` responses are open. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Ends every open `grid.mjpg` response, as a receiver going away would. */
  endStreams(): void {
    for (const stream of this.#streams) stream.stop();
  }

  async close(): Promise<void> {
    this.endStreams();
    await this.#server.shutdown();
  }

  #serve(request: Request): Response {
    const url = new URL(request.url);
    this.requests.push(url);
    const clock = Date.now() + this.clockAheadMs;
    switch (url.pathname) {
      case "/":
        return new Response(GRID_PAGE, {
          headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP },
        });
      case "/favicon.svg":
        return new Response('<svg xmlns="http://www.w3.org/2000/svg"/>', {
          headers: { "content-type": "image/svg+xml" },
        });
      case "/time":
        return Response.json({ now: clock });
      case "/stats": {
        if (this.statsFail) return new Response("down for a test\n", { status: 503 });
        const listed = [...this.cameras.values()].filter((camera) => camera.listed);
        return Response.json({ cameras: listed.map(statsOf) });
      }
      case "/screen-latency":
        this.reports.push(reportOf(url));
        return new Response(null, { status: 204 });
      case "/grid.mjpg":
        return this.#gridStream();
    }
    return new Response("not found\n", { status: 404 });
  }

  /** One `grid.mjpg` response: a part for each sending camera, `fps` times a second. */
  #gridStream(): Response {
    const boundary = "b" + crypto.randomUUID().replaceAll("-", "");
    const encoder = new TextEncoder();
    const { fps, delayMs } = this.#options;
    let timer: ReturnType<typeof setInterval> | undefined;
    let n = 0;
    const streams = this.#streams;
    const stream = {
      stop: () => {},
    };
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stream.stop = () => {
          clearInterval(timer);
          streams.delete(stream);
          try {
            controller.close();
          } catch {
            // Closed already.
          }
        };
        streams.add(stream);
        controller.enqueue(encoder.encode(`--${boundary}\r\n`));
        timer = setInterval(() => {
          n++;
          for (const camera of this.cameras.values()) {
            if (!camera.sending) continue;
            const jpegs = this.#jpegs.get(camera.colour)!;
            const jpeg = jpegs[n % jpegs.length];
            const captured = (Date.now() + this.clockAheadMs - delayMs) / 1000;
            const signal = camera.signal === undefined ? "" : `X-Signal: ${camera.signal}\r\n`;
            // Header names in mixed case: the page reads them without regard to case.
            const head = `Content-Type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\n` +
              `X-Camera: ${camera.name}\r\nx-timestamp: ${captured.toFixed(6)}\r\n` +
              `X-Frame: ${n}\r\n${signal}\r\n`;
            const part = concatBytes([
              encoder.encode(head),
              jpeg,
              encoder.encode(`\r\n--${boundary}\r\n`),
            ]);
            try {
              controller.enqueue(part);
            } catch {
              // The page went away.
              stream.stop();
              return;
            }
          }
        }, 1000 / fps);
      },
      cancel: () => {
        clearInterval(timer);
        streams.delete(stream);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": `multipart/mixed; boundary=${boundary}`,
        "cache-control": "no-store",
      },
    });
  }
}

function statsOf(camera: FakeCamera): Record<string, unknown> {
  return {
    name: camera.name,
    path: `/cam/${camera.name}/`,
    state: camera.state,
    stateReason: camera.stateReason,
    sender: "127.0.0.1:9000",
    ...(camera.senderName === undefined ? {} : { senderName: camera.senderName }),
    fps: 10,
    width: WIDTH,
    height: HEIGHT,
    framesReceived: 100,
    latencyMs: camera.receiverP50 === undefined ? {} : { p50: camera.receiverP50, p99: 9.5 },
  };
}

function reportOf(url: URL): Report {
  const cameras = url.searchParams.getAll("camera");
  const samples = url.searchParams.getAll("ms");
  return cameras.map((name, i) => [name, (samples[i] ?? "").split(",").map(Number)]);
}

/** Frames of one colour, a white bar at a different place in each. */
async function makeFrames(colour: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const image = new Image(WIDTH, HEIGHT);
    image.fill(colour * 256 + 0xff);
    image.drawBox(20 + i * 20, 30, 12, 30, 0xffffffff);
    frames.push(await image.encodeJPEG(90));
  }
  return frames;
}

/** `count` colours of distinct hues, as 0xRRGGBB, bright enough to tell apart. */
export function colours(count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const hue = (i * 360) / count;
    const channel = (shift: number) => {
      const k = (shift + hue / 60) % 6;
      return Math.round(255 * (1 - Math.max(0, Math.min(k, 4 - k, 1))));
    };
    return (channel(5) << 16) | (channel(3) << 8) | channel(1);
  });
}
