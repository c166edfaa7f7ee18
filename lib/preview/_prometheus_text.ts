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
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const name = family.name + (sample.suffix ?? "");
      const series = name + formatLabels(sample.labels ?? {});
      let value = sample.value;
      if (highest !== undefined && family.type === "counter") {
        value = Math.max(value, highest.get(series) ?? value);
        highest.set(series, value);
      }
      lines.push(`${series} ${formatNumber(value)}`);
    }
  }
  return lines.join("\n") + "\n";
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
