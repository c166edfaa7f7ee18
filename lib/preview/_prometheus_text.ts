/**
 * The Prometheus text exposition format, version 0.0.4, written from a list
 * of metric families: a HELP and a TYPE line for each, then a line a sample,
 * label values and help text escaped, infinities as `+Inf` and `-Inf`.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 * @module
 */

/** A sample's labels, name to value. */
export type MetricLabels = Record<string, string>;

/** One line of a family: its labels and value. */
export interface MetricSample {
  /** Appended to the family's name: `_bucket`, `_sum`, `_count`. */
  suffix?: string;
  /** The sample's labels, if any. */
  labels?: MetricLabels;
  /** The sample's value. */
  value: number;
}

/** A metric family: its name, help, type and samples. */
export interface MetricFamily {
  /** The family's name, prefix and unit included. */
  name: string;
  /** One line saying what it measures. */
  help: string;
  /** The family's type. */
  type: "counter" | "gauge" | "histogram";
  /** Its samples; none leaves the family with its HELP and TYPE lines only. */
  samples: MetricSample[];
}

/** The exposition text; with `highest`, counters never fall below the values kept there. */
export function formatPrometheus(families: MetricFamily[], highest?: Map<string, number>): string {
  const lines: string[] = [];
  for (const family of highest === undefined ? families : monotonic(families, highest)) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const series = family.name + (sample.suffix ?? "") + formatLabels(sample.labels ?? {});
      lines.push(`${series} ${formatNumber(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * `families` with each counter at no less than the highest it showed before,
 * as kept in `highest` by series (name, suffix and labels), which this
 * updates.
 */
export function monotonic(families: MetricFamily[], highest: Map<string, number>): MetricFamily[] {
  return families.map((family) => {
    if (family.type !== "counter") return family;
    const samples = family.samples.map((sample) => {
      const series = family.name + (sample.suffix ?? "") + formatLabels(sample.labels ?? {});
      const value = Math.max(sample.value, highest.get(series) ?? sample.value);
      highest.set(series, value);
      return { ...sample, value };
    });
    return { ...family, samples };
  });
}

/** A value as the format writes it: `NaN`, `+Inf`, `-Inf`, or the number. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: MetricLabels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}
