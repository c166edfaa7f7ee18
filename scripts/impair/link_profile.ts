/**
 * How one direction of a link is impaired. Every field is optional; a profile
 * of `{}` passes packets untouched and at once.
 */
export interface LinkProfile {
  /** Percent of packets lost, 0 to 100. @default {0} */
  lossPercent?: number;
  /**
   * The mean length, in packets, of a run of losses. At 1 each packet is lost
   * independently. Above 1 loss follows a two-state Gilbert–Elliott chain: the
   * bad state loses every packet and the good state none, with p(bad → good) =
   * 1 / burstLength and p(good → bad) = p · p(bad → good) / (1 − p), so that the
   * long-run loss is `lossPercent` and a bad run lasts `burstLength` packets on
   * average. When that loss cannot be reached with runs this short (the good
   * state would have to last less than one packet), the runs are lengthened.
   * @default {1}
   */
  burstLength?: number;
  /** Percent of packets delivered twice, 0 to 100; both copies leave together. @default {0} */
  duplicatePercent?: number;
  /**
   * Percent of packets held back by `reorderDelayMs`, so that later ones overtake them.
   * @default {0}
   */
  reorderPercent?: number;
  /** How long, in ms, a reordered packet is held back beyond its due time. @default {3} */
  reorderDelayMs?: number;
  /** A fixed one-way delay, in ms. @default {0} */
  delayMs?: number;
  /**
   * A uniform random change of ±`jitterMs` to the delay, never below zero. It
   * does not reorder: a packet never leaves before the one ahead of it.
   * @default {0}
   */
  jitterMs?: number;
  /**
   * A bandwidth cap, in Mbit/s: packets leave one after another, each taking
   * its size in bits over the rate. Undefined means no cap.
   * @default {undefined}
   */
  rateMbps?: number;
  /**
   * With a rate cap, the most time, in ms, a packet may wait to leave; a packet
   * that would wait longer is dropped (tail drop).
   * @default {100}
   */
  queueMs?: number;
}

/** A {@linkcode LinkProfile} with every default filled in and every value checked. */
export type ResolvedLinkProfile = Required<Omit<LinkProfile, "rateMbps">> & {
  rateMbps: number | undefined;
};

/** The values a {@linkcode LinkProfile} leaves out stand for. */
export const LINK_PROFILE_DEFAULTS: Readonly<ResolvedLinkProfile> = Object.freeze({
  lossPercent: 0,
  burstLength: 1,
  duplicatePercent: 0,
  reorderPercent: 0,
  reorderDelayMs: 3,
  delayMs: 0,
  jitterMs: 0,
  rateMbps: undefined,
  queueMs: 100,
});

/** Fills in the defaults of `profile`; throws a `RangeError` naming the first bad value. */
export function resolveLinkProfile(profile: LinkProfile = {}): ResolvedLinkProfile {
  const resolved: ResolvedLinkProfile = { ...LINK_PROFILE_DEFAULTS };
  for (const [key, value] of Object.entries(profile)) {
    if (value !== undefined) (resolved as unknown as Record<string, number>)[key] = value;
  }
  for (const key of ["lossPercent", "duplicatePercent", "reorderPercent"] as const) {
    check(key, resolved[key], resolved[key] >= 0 && resolved[key] <= 100, "from 0 to 100");
  }
  const burst = resolved.burstLength;
  check("burstLength", burst, burst >= 1 && Number.isFinite(burst), "at least 1");
  for (const key of ["reorderDelayMs", "delayMs", "jitterMs", "queueMs"] as const) {
    check(key, resolved[key], resolved[key] >= 0 && Number.isFinite(resolved[key]), "at least 0");
  }
  const rate = resolved.rateMbps;
  if (rate !== undefined) check("rateMbps", rate, rate > 0 && Number.isFinite(rate), "above 0");
  return resolved;
}

/** Describes a profile in a few words, such as `loss 5% in bursts of 4, delay 20±5 ms`. */
export function describeLinkProfile(profile: LinkProfile = {}): string {
  const p = resolveLinkProfile(profile);
  const parts: string[] = [];
  if (p.lossPercent > 0) {
    parts.push(
      `loss ${p.lossPercent}%` + (p.burstLength > 1 ? ` in bursts of ${p.burstLength}` : ""),
    );
  }
  if (p.duplicatePercent > 0) parts.push(`duplicate ${p.duplicatePercent}%`);
  if (p.reorderPercent > 0) parts.push(`reorder ${p.reorderPercent}% by ${p.reorderDelayMs} ms`);
  if (p.delayMs > 0 || p.jitterMs > 0) {
    parts.push(`delay ${p.delayMs}` + (p.jitterMs > 0 ? `±${p.jitterMs}` : "") + " ms");
  }
  if (p.rateMbps !== undefined) parts.push(`rate ${p.rateMbps} Mbit/s, queue ${p.queueMs} ms`);
  return parts.length === 0 ? "clean" : parts.join(", ");
}

function check(name: string, value: number, ok: boolean, range: string): void {
  if (!ok) throw new RangeError(`The link's ${name} must be ${range}, got ${value}`);
}
