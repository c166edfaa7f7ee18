/**
 * Calls into a worker, one promise per request, for pixel work that would
 * otherwise hold up the event loop: the worker runs {@linkcode answerCalls}.
 *
 * @module
 */

/**
 * How long {@linkcode WorkerClient.close} waits for the worker to answer the
 * calls it was given: a 1080p frame takes about 60 ms to draw and encode here.
 */
export const CLOSE_GRACE_MS = 2000;

/** A request as it crosses to the worker. */
export interface WorkerCall<Request> {
  /** Matches the answer to the call. */
  id: number;
  /** What the worker is asked; with `ping`, nothing. */
  request?: Request;
  /** Asks only for an answer, once the worker has loaded. @default false */
  ping?: boolean;
}

/** An answer as it crosses back. */
export type WorkerAnswer<Response> =
  | { id: number; ok: true; value: Response }
  | { id: number; ok: false; error: string; name: string };

/** The errors that keep their class on the way back; any other comes back as an `Error`. */
const ERROR_CLASSES: Record<string, ErrorConstructor> = {
  RangeError,
  TypeError,
};

interface Pending<Response> {
  resolve: (value: Response) => void;
  reject: (error: Error) => void;
}

/**
 * One worker, started with the client and stopped by
 * {@linkcode WorkerClient.close}. Starting a worker holds up the thread that
 * starts it (tens of milliseconds, more on a busy machine, while the worker's
 * runtime is made): start it before anything that must not wait. The worker is made by a function given
 * here, so that each call site names its module in a
 * `new Worker(new URL("./…", import.meta.url))` of its own. A worker that
 * fails fails the calls waiting on it; the next call starts a new one.
 *
 * @example Usage
 * ```ts ignore
 * const client = new WorkerClient<Request, Uint8Array>(() =>
 *   new Worker(new URL("./x_worker.ts", import.meta.url).href, { type: "module" })
 * );
 * const jpeg = await client.call({ width: 640 });
 * await client.close();
 * ```
 */
export class WorkerClient<Request, Response> {
  #start: () => Worker;
  #worker: Worker | undefined;
  #pending = new Map<number, Pending<Response>>();
  /** Calls posted to the worker that it has not answered yet, failed or not. */
  #unanswered = new Set<number>();
  #answered: (() => void) | undefined;
  #nextId = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * Starts the worker.
   *
   * @param start Makes the worker, with `new Worker(...)`.
   */
  constructor(start: () => Worker) {
    this.#start = start;
    this.#worker = this.#open();
  }

  /**
   * Asks the worker, which answers calls in the order they were made.
   *
   * @param request What to ask; copied, but for `transfer`.
   * @param transfer Buffers to move to the worker rather than copy.
   * @returns The worker's answer.
   * @throws {Error} If the worker fails, throws (a `RangeError` or `TypeError`
   * as such), or is closed first.
   */
  call(request: Request, transfer: Transferable[] = []): Promise<Response> {
    return this.#post({ request }, transfer);
  }

  #post(call: Omit<WorkerCall<Request>, "id">, transfer: Transferable[] = []): Promise<Response> {
    if (this.#closed) return Promise.reject(new Error("The worker is closed"));
    const worker = this.#worker ??= this.#open();
    const id = this.#nextId++;
    return new Promise<Response>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#unanswered.add(id);
      worker.postMessage({ id, ...call } satisfies WorkerCall<Request>, transfer);
    });
  }

  /**
   * Resolves once the worker has loaded its modules and answers. Loading
   * holds up the thread that started the worker now and then (some
   * milliseconds to tens of them): wait for it before anything that must not
   * wait.
   *
   * @throws {Error} If the worker fails to load, or is closed first.
   */
  async ready(): Promise<void> {
    await this.#post({ ping: true });
  }

  /**
   * Fails the calls waiting on the worker at once, and stops it once it has
   * answered the calls it was given, or after {@linkcode CLOSE_GRACE_MS}.
   * The wait is needed: imagescript's JPEG encoder runs on a native thread
   * of its own, and a worker stopped while it encodes takes the whole process
   * down (SIGSEGV). Safe to call twice.
   *
   * @returns Resolves once the worker is stopped.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    const error = new Error("The worker is closed");
    for (const { reject } of pending) reject(error);
    this.#closing = this.#drain().then(() => this.#stop(error));
    return this.#closing;
  }

  /** Resolves once the worker has answered every call it was given, or after the grace. */
  async #drain(): Promise<void> {
    if (this.#worker === undefined || this.#unanswered.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#answered = resolve;
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    clearTimeout(timer);
  }

  #open(): Worker {
    const worker = this.#start();
    worker.onmessage = (event: MessageEvent<WorkerAnswer<Response>>) => {
      const answer = event.data;
      this.#unanswered.delete(answer.id);
      if (this.#unanswered.size === 0) this.#answered?.();
      const pending = this.#pending.get(answer.id);
      if (pending === undefined) return;
      this.#pending.delete(answer.id);
      if (answer.ok) pending.resolve(answer.value);
      else pending.reject(new (ERROR_CLASSES[answer.name] ?? Error)(answer.error));
    };
    worker.onerror = (event: ErrorEvent) => {
      // Handled here, an error in the worker does not end this process.
      event.preventDefault();
      this.#stop(new Error(`The worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => this.#stop(new Error("The worker's answer could not be read"));
    return worker;
  }

  #stop(error: Error): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#unanswered.clear();
    this.#answered?.();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(error);
  }
}
