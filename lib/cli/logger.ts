/** How events are written: lines for people, or one JSON object a line. */
export type LogFormat = "text" | "json";

/** Options for a {@linkcode Logger}. */
export interface LoggerOptions {
  /** @default {"text"} */
  format?: LogFormat;
  /** Where lines go. @default standard error for text, standard output for JSON */
  write?: (line: string) => void;
  /** The clock. @default {Date.now} */
  now?: () => number;
}

/**
 * Writes events. In text mode each event is one human line on standard error,
 * beginning with the local time (`14:03:07`);
 * in JSON mode each is one object a line on standard output, with `time`
 * (ISO 8601) and `event` first.
 */
export class Logger {
  #format: LogFormat;
  #write: (line: string) => void;
  #now: () => number;
  #beforeWrite: () => void = () => {};

  /** Creates a logger. */
  constructor(options: LoggerOptions = {}) {
    this.#format = options.format ?? "text";
    const encoder = new TextEncoder();
    const stream = this.#format === "json" ? Deno.stdout : Deno.stderr;
    const write = options.write ?? ((line) => stream.writeSync(encoder.encode(line + "\n")));
    this.#write = (line) => {
      try {
        write(line);
      } catch {
        // The reader went away (a closed pipe): logging stops, the tool goes on.
        this.#write = () => {};
      }
    };
    this.#now = options.now ?? Date.now;
  }

  /** The format in use. */
  get format(): LogFormat {
    return this.#format;
  }

  /** Sets a function run before each line, such as clearing a status line. */
  set beforeWrite(fn: () => void) {
    this.#beforeWrite = fn;
  }

  /** Logs one event: `text` for people, `fields` for machines. */
  event(event: string, text: string, fields: Record<string, unknown> = {}): void {
    this.#beforeWrite();
    if (this.#format === "json") {
      this.#write(
        JSON.stringify({ time: new Date(this.#now()).toISOString(), event, ...fields }),
      );
    } else {
      this.#write(`${clockTime(this.#now())} ${text}`);
    }
  }

  /** Logs a `warning` event: `warning: MESSAGE` as text, `{message}` as JSON. */
  warn(message: string): void {
    this.event("warning", `warning: ${message}`, { message });
  }
}

/** `HH:MM:SS` in local time. */
function clockTime(ms: number): string {
  const time = new Date(ms);
  return [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
}
