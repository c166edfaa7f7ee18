/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4,
 * for tests: it throws on the first line that breaks the format, and also on
 * what Prometheus would take badly from one exposition (a sample before its
 * family's HELP and TYPE, a family split in two, a duplicate series, a
 * histogram whose buckets are not cumulative).
 *
 * @module
 */

/** One sample line. */
export interface PromSample {
  /** The sample's name: the family's, or for a histogram with `_bucket`, `_sum` or `_count`. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its HELP and TYPE, and its samples in order. */
export interface PromFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

/** Parses `text`, or throws an error naming the line at fault. */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition does not end with a newline");
  const families = new Map<string, PromFamily>();
  const declared = new Map<string, { help?: string; type?: PromFamily["type"] }>();
  const series = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  const lines = text.slice(0, -1).split("\n");

  /** Moves to `family`, which must not have been left before. */
  const enter = (family: string, at: string) => {
    if (family === current) return;
    if (finished.has(family)) throw new Error(`${at}: family ${family} appears in two places`);
    if (current !== undefined) finished.add(current);
    current = family;
  };

  lines.forEach((line, i) => {
    const at = `line ${i + 1} "${line}"`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const meta = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (meta === null) return; // A plain comment.
      const [, keyword, name, rest = ""] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`${at}: bad metric name`);
      enter(name, at);
      const entry = declared.get(name) ?? {};
      declared.set(name, entry);
      if (families.get(name)?.samples.length) {
        throw new Error(`${at}: ${keyword} after the family's samples`);
      }
      if (keyword === "HELP") {
        if (entry.help !== undefined) throw new Error(`${at}: a second HELP`);
        entry.help = unescape(rest, false, at);
      } else {
        if (entry.type !== undefined) throw new Error(`${at}: a second TYPE`);
        if (!TYPES.has(rest)) throw new Error(`${at}: unknown type`);
        entry.type = rest as PromFamily["type"];
      }
      if (entry.help !== undefined && entry.type !== undefined) {
        families.set(name, { name, help: entry.help, type: entry.type, samples: [] });
      }
      return;
    }
    const sample = parseSample(line, at);
    const family = familyOf(sample.name, declared);
    const entry = families.get(family);
    if (entry === undefined) {
      throw new Error(`${at}: no HELP and TYPE for ${family} before its first sample`);
    }
    enter(family, at);
    const key = `${sample.name}{${
      Object.entries(sample.labels).sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) =>
        `${k}=${JSON.stringify(v)}`
      ).join(",")
    }}`;
    if (series.has(key)) throw new Error(`${at}: duplicate series ${key}`);
    series.add(key);
    if ("le" in sample.labels !== (entry.type === "histogram" && sample.name.endsWith("_bucket"))) {
      throw new Error(`${at}: "le" belongs on a histogram's buckets, and only there`);
    }
    if (entry.type === "counter" && !(sample.value >= 0)) {
      throw new Error(`${at}: a counter is a number at or above 0`);
    }
    entry.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
  }
  for (const [name, entry] of declared) {
    if (!families.has(name)) throw new Error(`${name} lacks its ${entry.help ? "TYPE" : "HELP"}`);
  }
  return families;
}

/** The family a sample name belongs to: itself, or a histogram or summary it is a part of. */
function familyOf(
  name: string,
  declared: Map<string, { type?: PromFamily["type"] }>,
): string {
  if (declared.has(name)) return name;
  for (const [family, { type }] of declared) {
    for (const suffix of SUFFIXES[type ?? ""] ?? []) {
      if (name === family + suffix) return family;
    }
  }
  return name;
}

function parseSample(line: string, at: string): PromSample {
  const nameEnd = line.search(/[{ \t]/);
  if (nameEnd <= 0) throw new Error(`${at}: no value`);
  const name = line.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) throw new Error(`${at}: bad metric name`);
  const labels: Record<string, string> = {};
  let i = nameEnd;
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] === "}") break;
      const eq = line.indexOf("=", i);
      if (eq === -1) throw new Error(`${at}: a label without "="`);
      const labelName = line.slice(i, eq).trim();
      if (!LABEL_NAME.test(labelName) || labelName.startsWith("__")) {
        throw new Error(`${at}: bad label name "${labelName}"`);
      }
      if (labelName in labels) throw new Error(`${at}: label ${labelName} given twice`);
      i = eq + 1;
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] !== '"') throw new Error(`${at}: a label value not in quotes`);
      let end = i + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === "\\" ? 2 : 1;
      if (end >= line.length) throw new Error(`${at}: an unterminated label value`);
      labels[labelName] = unescape(line.slice(i + 1, end), true, at);
      i = end + 1;
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw new Error(`${at}: labels not separated by ","`);
    }
    i++;
  }
  const rest = line.slice(i);
  const fields = rest.trim().split(/[ \t]+/);
  if (!/^[ \t]/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === "") {
    throw new Error(`${at}: expected " value [timestamp]" after the name`);
  }
  if (!FLOAT.test(fields[0])) throw new Error(`${at}: bad value "${fields[0]}"`);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) {
    throw new Error(`${at}: bad timestamp "${fields[1]}"`);
  }
  return { name, labels, value: parseFloat(fields[0]) };
}

/** Undoes the escapes of a label value (`\\`, `\"`, `\n`) or of a HELP text (`\\`, `\n`). */
function unescape(text: string, quoted: boolean, at: string): string {
  return text.replace(/\\(.?)/g, (_, next: string) => {
    if (next === "\\") return "\\";
    if (next === "n") return "\n";
    if (next === '"' && quoted) return '"';
    throw new Error(`${at}: bad escape "\\${next}"`);
  });
}

/** Float parsing of `le`, with the format's spelling of infinity. */
function parseLe(text: string): number {
  if (!FLOAT.test(text)) throw new Error(`bad le "${text}"`);
  return parseFloat(text.replace(/Inf$/, "Infinity"));
}

/**
 * Per label set: `le` strictly ascending and ending at `+Inf`, counts not
 * decreasing, `+Inf` equal to `_count`, and a `_sum`.
 */
function checkHistogram(family: PromFamily): void {
  const groups = new Map<
    string,
    { les: number[]; counts: number[]; sum?: number; count?: number }
  >();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { les: [], counts: [] };
    groups.set(key, group);
    if (sample.name === `${family.name}_bucket`) {
      group.les.push(parseLe(le));
      group.counts.push(sample.value);
    } else if (sample.name === `${family.name}_sum`) {
      group.sum = sample.value;
    } else if (sample.name === `${family.name}_count`) {
      group.count = sample.value;
    } else {
      throw new Error(`${family.name}: a sample named ${sample.name}`);
    }
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`;
    if (group.les.at(-1) !== Infinity) throw new Error(`${where}: no +Inf bucket, or not last`);
    group.les.forEach((le, i) => {
      if (i > 0 && !(le > group.les[i - 1])) throw new Error(`${where}: le not ascending`);
      if (i > 0 && !(group.counts[i] >= group.counts[i - 1])) {
        throw new Error(`${where}: bucket counts not cumulative`);
      }
    });
    if (group.count !== group.counts.at(-1)) throw new Error(`${where}: +Inf is not _count`);
    if (group.sum === undefined) throw new Error(`${where}: no _sum`);
  }
}
