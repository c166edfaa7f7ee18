/**
 * A binary min-heap ordered by `less`. Entries that compare equal leave in no
 * particular order, so a caller that needs first-in first-out among equals
 * breaks ties itself (with a sequence number, say).
 */
export class MinHeap<T> {
  #items: T[] = [];
  #less: (a: T, b: T) => boolean;

  /** Creates an empty heap; `less(a, b)` is true when `a` must leave before `b`. */
  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  /** How many entries the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The entry that leaves next, without taking it out. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an entry. */
  push(item: T): void {
    const items = this.#items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  /** Takes out the entry that leaves next. */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.#less(items[left], items[least])) least = left;
      if (right < items.length && this.#less(items[right], items[least])) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least], items[i]];
      i = least;
    }
    return top;
  }

  /** Empties the heap. */
  clear(): void {
    this.#items = [];
  }
}
