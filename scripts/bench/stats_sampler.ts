import { wallClock } from "../../lib/util/clock.ts";
import { type ReceiverStats, receiverStats } from "./receiver_stats.ts";

/** What the bench keeps of one reading of the receiver's `/stats`. */
export interface StatsSample {
  /** When the answer came, on this process's {@linkcode wallClock} (ms). */
  at: number;
  /** Whole frames a second, over the receiver's last 2 s. */
  fps: number;
  /** Mbit/s of whole frames, over the receiver's last 2 s. */
  bitrateMbps: number;
  /** Frames dropped so far, all reasons. */
  framesDropped: number;
  /** How much longer than its base the path's one-way delay reads, ms. */
  queueDelayMs: number;
}

/** Options for a {@linkcode StatsSampler}. */
export interface StatsSamplerOptions {
  /** How often to read, in ms. @default {250} */
  intervalMs?: number;
}

/**
 * Reads the receiver's `/stats` every `intervalMs` in the background, one
 * request at a time: a receiver that stalls delays the next reading rather
 * than piling requests up. A failed reading is skipped.
 */
export class StatsSampler {
  /** The readings so far, oldest first. */
  readonly samples: StatsSample[] = [];
  #url: string;
  #intervalMs: number;
  #stopped = false;
  #wake: (() => void) | undefined;
  #done: Promise<void>;

  /** Starts reading `url`'s `/stats`; `url` is the preview address, ending in `/`. */
  constructor(url: string, options: StatsSamplerOptions = {}) {
    this.#url = url;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#done = this.#run();
  }

  /** Stops reading; resolves once the reading under way, if any, has ended. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    return this.#done;
  }

  async #run(): Promise<void> {
    let next = wallClock();
    while (!this.#stopped) {
      try {
        const stats = await receiverStats(this.#url);
        this.samples.push(sample(wallClock(), stats));
      } catch {
        // The receiver is gone or busy: the next reading will tell.
      }
      next = Math.max(next + this.#intervalMs, wallClock());
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, Math.max(0, next - wallClock()));
      });
      clearTimeout(timer);
    }
  }
}

function sample(at: number, stats: ReceiverStats): StatsSample {
  return {
    at,
    fps: stats.fps,
    bitrateMbps: stats.bitrateMbps,
    framesDropped: Object.values(stats.framesDropped).reduce((sum, n) => sum + n, 0),
    queueDelayMs: stats.queueDelayMs,
  };
}
