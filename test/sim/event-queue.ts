import type { Milliseconds } from '../../src/sync/units.js';

interface Entry {
  readonly atMs: Milliseconds;
  readonly order: number;
  readonly action: () => void;
}

/**
 * Discrete-event loop over true (simulation) time: a binary min-heap of actions, ordered by time
 * and then by insertion (so same-time events run in the order they were scheduled).
 */
export class EventQueue {
  private heap: Entry[] = [];
  private counter = 0;
  private current: Milliseconds = 0;

  /** Current true time, ms. */
  get now(): Milliseconds {
    return this.current;
  }

  /** Run `action` at true time `atMs` (clamped to now). */
  at(atMs: Milliseconds, action: () => void): void {
    this.push({ atMs: Math.max(atMs, this.current), order: this.counter++, action });
  }

  /** Run `action` `delayMs` from now. */
  after(delayMs: Milliseconds, action: () => void): void {
    this.at(this.current + Math.max(0, delayMs), action);
  }

  /** Process events up to and including true time `untilMs`; then now = untilMs. */
  runUntil(untilMs: Milliseconds): void {
    while (this.heap.length > 0 && this.heap[0].atMs <= untilMs) {
      const entry = this.pop();
      this.current = entry.atMs;
      entry.action();
    }
    this.current = Math.max(this.current, untilMs);
  }

  /** Pending events. */
  get size(): number {
    return this.heap.length;
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}
