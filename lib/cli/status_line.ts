const encoder = new TextEncoder();

/**
 * `text`, fields apart by " | ", made to fit a terminal `width` columns wide
 * (less one, so that the cursor never wraps): whole fields from the first,
 * the most useful, as many as fit; a first field wider than that is cut with
 * an ellipsis. Fitted at each update, so a terminal made narrower gets a
 * line that fits at the next.
 */
export function fitStatus(text: string, width: number): string {
  const room = Math.max(1, width - 1);
  if (text.length <= room) return text;
  const fields = text.split(" | ");
  if (fields[0].length > room) return `${fields[0].slice(0, Math.max(0, room - 1))}…`;
  let fitted = fields[0];
  for (const field of fields.slice(1)) {
    if (fitted.length + 3 + field.length > room) break;
    fitted += ` | ${field}`;
  }
  return fitted;
}

/**
 * What puts the cursor back at the start of a line `length` characters long
 * drawn before, and erases it: on a terminal now `columns` wide it may have
 * wrapped onto more rows (the terminal was made narrower), all of which go.
 */
export function repaintPrefix(length: number, columns: number): string {
  const rows = Math.max(1, Math.ceil(length / Math.max(1, columns)));
  return (rows > 1 ? `\x1b[${rows - 1}A` : "") + "\r\x1b[J";
}

/**
 * A one-line live status on a terminal, rewritten in place. It does nothing
 * when standard error is not a terminal, so logs and pipes stay clean.
 */
export class StatusLine {
  #enabled: boolean;
  #shown = false;
  /** The length of the line drawn last, to erase it whole after a resize. */
  #drawn = 0;

  /** Creates a status line; `enabled` defaults to whether standard error is a terminal. */
  constructor(enabled: boolean = Deno.stderr.isTerminal()) {
    this.#enabled = enabled;
  }

  /** Replaces the line with `text`. */
  update(text: string): void {
    if (!this.#enabled) return;
    try {
      const width = columns();
      const line = fitStatus(text, width);
      Deno.stderr.writeSync(
        encoder.encode(repaintPrefix(this.#shown ? this.#drawn : 0, width) + line),
      );
      this.#drawn = line.length;
      this.#shown = true;
    } catch {
      this.#enabled = false;
    }
  }

  /** Erases the line, so that a log line can take its place. */
  clear(): void {
    if (!this.#enabled || !this.#shown) return;
    this.#shown = false;
    try {
      Deno.stderr.writeSync(encoder.encode(repaintPrefix(this.#drawn, columns())));
    } catch {
      this.#enabled = false;
    }
  }
}

function columns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}
