/**
 * The text of `sender --overlay`: literal text with placeholders that are
 * filled in as frames are drawn.
 *
 * | written  | drawn as                                              |
 * | -------- | ----------------------------------------------------- |
 * | `{time}` | the local time, `HH:MM:SS`                            |
 * | `{date}` | the local date, `YYYY-MM-DD`                          |
 * | `{fps}`  | the frame rate of the video, whole frames a second    |
 * | `{host}` | the sender's host name                                |
 * | `{{`     | `{`                                                   |
 * | `}}`     | `}`                                                   |
 *
 * @module
 */

/** The placeholders an overlay may hold, in the order the help lists them. */
export const OVERLAY_PLACEHOLDERS = ["time", "date", "fps", "host"] as const;

/** One placeholder, such as `time` for `{time}`. */
export type OverlayPlaceholder = typeof OVERLAY_PLACEHOLDERS[number];

/** A piece of overlay text: literal characters, or a placeholder to fill in. */
export type OverlayPart = { text: string } | { placeholder: OverlayPlaceholder };

/** What the placeholders stand for at one moment. */
export interface OverlayValues {
  /** The moment for `{time}` and `{date}`, in milliseconds since the Unix epoch. */
  time: number;
  /** Frames a second, for `{fps}`; rounded to a whole number. */
  fps: number;
  /** The host name, for `{host}`. */
  host: string;
}

/** The longest overlay text, in characters as typed. */
export const MAX_OVERLAY_CHARACTERS = 200;

/** Control characters, line and paragraph separators and lone surrogates: what cannot be drawn. */
export const UNPRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * Reads overlay text such as `"{host} {date} {time}"` into literal parts and
 * placeholders. `{{` and `}}` stand for single braces.
 *
 * @example
 * ```ts
 * parseOverlayText("cam {time}");
 * // [{ text: "cam " }, { placeholder: "time" }]
 * ```
 *
 * @param text The text as typed.
 * @returns The parts, neighbouring literal text merged into one part.
 * @throws {TypeError} For empty text, a character that cannot be drawn, an
 * unknown placeholder, or a brace that is neither a placeholder nor doubled.
 * @throws {RangeError} For text longer than {@linkcode MAX_OVERLAY_CHARACTERS}.
 */
export function parseOverlayText(text: string): OverlayPart[] {
  if (text.trim() === "") throw new TypeError("Overlay text is empty");
  const length = Array.from(text).length;
  if (length > MAX_OVERLAY_CHARACTERS) {
    throw new RangeError(
      `Overlay text has ${length} characters, more than ${MAX_OVERLAY_CHARACTERS}`,
    );
  }
  if (UNPRINTABLE.test(text)) {
    throw new TypeError("Overlay text must be one line of printable characters");
  }
  const parts: OverlayPart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if ((char === "{" || char === "}") && text[i + 1] === char) {
      literal += char;
      i += 2;
    } else if (char === "}") {
      throw new TypeError("Lone } in overlay text: write }} for a brace");
    } else if (char === "{") {
      const end = text.indexOf("}", i);
      if (end === -1) {
        throw new TypeError("Unclosed { in overlay text: write {{ for a brace");
      }
      const name = text.slice(i + 1, end);
      if (!(OVERLAY_PLACEHOLDERS as readonly string[]).includes(name)) {
        throw new TypeError(
          `Unknown placeholder {${name}}: the placeholders are ${placeholderList()}`,
        );
      }
      if (literal !== "") parts.push({ text: literal });
      literal = "";
      parts.push({ placeholder: name as OverlayPlaceholder });
      i = end + 1;
    } else {
      literal += char;
      i += 1;
    }
  }
  if (literal !== "") parts.push({ text: literal });
  return parts;
}

/**
 * Fills in the placeholders.
 *
 * @example
 * ```ts
 * expandOverlayText(parseOverlayText("{host} {fps} fps"), { time: 0, fps: 29.97, host: "cam" });
 * // "cam 30 fps"
 * ```
 *
 * @param parts The text, as {@linkcode parseOverlayText} reads it.
 * @param values What the placeholders stand for.
 * @returns The text to draw.
 */
export function expandOverlayText(parts: readonly OverlayPart[], values: OverlayValues): string {
  const date = new Date(values.time);
  return parts.map((part) => {
    if ("text" in part) return part.text;
    switch (part.placeholder) {
      case "time":
        return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
      case "date":
        return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
      case "fps":
        return String(Math.round(values.fps));
      case "host":
        return values.host;
    }
  }).join("");
}

/** The placeholders as the help and error messages list them: `{time}, {date}, {fps}, {host}`. */
function placeholderList(): string {
  return OVERLAY_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
