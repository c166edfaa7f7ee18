/**
 * The preview page's wording of numbers, durations and names. Once the build
 * has put the page's scripts together these are globals of the page, and its
 * tests call `formatDuration(seconds)`, `niceCeil(value)` and
 * `snapshotName(date)`.
 *
 * @module
 */

/** "45 s", "12 min 5 s", "3 h 12 min", "2 d 5 h". */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (!(s >= 0)) return "-";
  if (s < 60) return s + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + (s % 60) + " s";
  const h = Math.floor(m / 60);
  if (h < 24) return h + " h " + (m % 60) + " min";
  return Math.floor(h / 24) + " d " + (h % 24) + " h";
}

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least value. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const step = steps.find((n) => n * power >= value * (1 - 1e-9));
  return Number((step! * power).toPrecision(3));
}

/** "udpcam-YYYYMMDD-HHMMSS.jpg" in local time. */
export function snapshotName(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return "udpcam-" + date.getFullYear() + two(date.getMonth() + 1) + two(date.getDate()) + "-" +
    two(date.getHours()) + two(date.getMinutes()) + two(date.getSeconds()) + ".jpg";
}

/** A number with `digits` decimals and its unit, or "-" for none. */
export function fixed(value: unknown, digits: number, unit?: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "-";
  return value.toFixed(digits) + (unit ? " " + unit : "");
}
