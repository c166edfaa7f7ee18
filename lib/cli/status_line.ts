const encoder = new TextEncoder();

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
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${text.slice(0, columns() - 1)}`));
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
