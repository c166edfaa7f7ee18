import { type Adaptation, lowestRung, type Rung } from "./adaptation_log.ts";
import { secondsBack } from "./seconds_back.ts";
import type { StatsSample } from "./stats_sampler.ts";

/** Seconds after a transient's end over which its lost frames are counted. */
export const LOSS_COUNT_SECONDS = 10;

/** The receiver's `queueDelayMs` above which a reading counts as a queue. */
export const QUEUE_READ_MS = 40;

/** The frame rate of the clip, which a viewer should see every frame of. */
const CLIP_FPS = 30;

/** What one transient's run recorded, as {@linkcode summarizeTransient} takes it. */
export interface TransientRun {
  /** The transient's short name. */
  id: string;
  /** What it does, in words. */
  label: string;
  /** When it began and ended (ms since the epoch, on the bench's clock). */
  startAt: number;
  endAt: number;
  /** The receiver's `/stats` readings over the run, oldest first. */
  samples: readonly StatsSample[];
  /** The sender's `adapted` events over the run. */
  adaptations: readonly Adaptation[];
  /** When the viewer read each part of `/stream.mjpg`. */
  partTimes: readonly number[];
  /** The stream's Mbit/s the cap was set from, for a cap. */
  streamMbps?: number;
  /** Whether the run measures a change of delay: how long it read as a queue. */
  delayStep?: boolean;
}

/** What a transient did to the stream, and how soon it was back. */
export interface TransientResult {
  id: string;
  label: string;
  /** Frames the receiver dropped from the transient's start to 10 s after its end. */
  framesLost: number;
  /** Frames the viewer missed over the same span, against 30 fps. */
  viewerMissed: number;
  /** Seconds from the end to full quality and frame rate; undefined if not within the run. */
  secondsBack: number | undefined;
  /** Seconds watched after the end. */
  watchedSeconds: number;
  /** The lowest rung any `adapted` event of the run reached. */
  lowest: Rung;
  /** The stream's Mbit/s the cap was set from, for a cap. */
  streamMbps?: number;
  /** For a change of delay: seconds the receiver read more than 40 ms of queue after it. */
  queueSeconds?: number;
  /** For a change of delay: whether the sender adapted after it. */
  adapted?: boolean;
}

/** Turns a transient's run into what it cost and how soon the stream was back. */
export function summarizeTransient(run: TransientRun): TransientResult {
  const { startAt, endAt, samples, adaptations } = run;
  const countTo = endAt + LOSS_COUNT_SECONDS * 1000;
  const before = samples.findLast((s) => s.at < startAt) ?? samples[0];
  const after = samples.find((s) => s.at >= countTo) ?? samples.at(-1);
  const viewed = run.partTimes.filter((at) => at >= startAt && at < countTo).length;
  const span = (Math.min(countTo, samples.at(-1)?.at ?? countTo) - startAt) / 1000;
  const result: TransientResult = {
    id: run.id,
    label: run.label,
    framesLost: (after?.framesDropped ?? 0) - (before?.framesDropped ?? 0),
    viewerMissed: Math.max(0, Math.round(CLIP_FPS * span) - viewed),
    secondsBack: secondsBack({ from: endAt, samples, adaptations }),
    watchedSeconds: ((samples.at(-1)?.at ?? endAt) - endAt) / 1000,
    lowest: lowestRung(adaptations),
  };
  if (run.streamMbps !== undefined) result.streamMbps = run.streamMbps;
  if (run.delayStep) {
    result.queueSeconds = queueSeconds(samples, startAt);
    result.adapted = adaptations.some((a) => a.at >= startAt);
  }
  return result;
}

/** Seconds of readings from `from` on that read more than 40 ms of queue: each lasts to the next. */
export function queueSeconds(samples: readonly StatsSample[], from: number): number {
  let ms = 0;
  for (let i = 0; i + 1 < samples.length; i++) {
    if (samples[i].at < from || samples[i].queueDelayMs <= QUEUE_READ_MS) continue;
    ms += samples[i + 1].at - samples[i].at;
  }
  return ms / 1000;
}
