/** A value published into a {@linkcode LatestValue}, with its sequence number. */
export interface Versioned<T> {
  /** 1 for the first value published, then +1 each time. */
  seq: number;
  /** The value. */
  value: T;
}

/**
 * A slot that holds only the newest value. Consumers ask for the first value
 * newer than the one they have; one that falls behind gets the newest and skips
 * the rest, so a slow consumer never makes anything queue up.
 */
export class LatestValue<T> {
  #latest: Versioned<T> | undefined;
  #waiters = new Set<(value: Versioned<T> | undefined) => void>();
  #closed = false;

  /** The newest value, if any. */
  get latest(): Versioned<T> | undefined {
    return this.#latest;
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Replaces the value and wakes every waiting consumer. */
  publish(value: T): Versioned<T> {
    const next = { seq: (this.#latest?.seq ?? 0) + 1, value };
    this.#latest = next;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake(next);
    return next;
  }

  /**
   * Resolves with the newest value whose seq is greater than `after`, waiting if
   * there is none yet; resolves with undefined once closed or when `signal` aborts.
   */
  next(after: number, signal?: AbortSignal): Promise<Versioned<T> | undefined> {
    const latest = this.#latest;
    if (latest !== undefined && latest.seq > after) return Promise.resolve(latest);
    if (this.#closed || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (value: Versioned<T> | undefined) => {
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(done);
        resolve(value);
      };
      const onAbort = () => done(undefined);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(done);
    });
  }

  /** Wakes every waiting consumer with undefined; later calls to next() resolve at once. */
  close(): void {
    this.#closed = true;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake(undefined);
  }
}
