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
 * A one-line live status on a terminal, rewritten in place. It does nothing
 * when standard error is not a terminal, so logs and pipes stay clean.
 */
export class StatusLine {
  #enabled: boolean;
  #shown = false;

  /** Creates a status line; `enabled` defaults to whether standard error is a terminal. */
  constructor(enabled: boolean = Deno.stderr.isTerminal()) {
    this.#enabled = enabled;
  }

  /** Replaces the line with `text`. */
  update(text: string): void {
    if (!this.#enabled) return;
    try {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${fitStatus(text, columns())}`));
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
      Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
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
