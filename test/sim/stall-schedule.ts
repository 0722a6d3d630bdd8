import type { Milliseconds } from '../../src/sync/units.js';
import type { Rng } from './rng.js';

/** Event-loop stalls of a tab (GC, heavy rendering, CPU load): Poisson arrivals, fixed length. */
export interface StallConfig {
  /** Mean time between stall starts, ms. */
  readonly meanIntervalMs: Milliseconds;
  /** Length of each stall, ms. */
  readonly durationMs: Milliseconds;
}

interface Window {
  readonly start: Milliseconds;
  readonly end: Milliseconds;
}

/** Windows further back than this behind the latest query are forgotten, ms. */
const KEEP_BEHIND_MS = 10_000;

/**
 * The stall windows of one tab, generated lazily in true time. Anything the tab would handle
 * during a stall (a timer, a message) runs when the stall ends. Queries may go back in time by
 * up to 10 s behind the latest one (messages in flight are scheduled out of order).
 */
export class StallSchedule {
  private readonly rng: Rng;
  private readonly config: StallConfig | null;
  private windows: Window[] = [];

  constructor(rng: Rng, config: StallConfig | null) {
    this.rng = rng;
    this.config = config;
    if (config !== null) this.windows.push(this.windowAfter(0));
  }

  /** The true time (ms) at which something due at `trueMs` actually runs. */
  releaseAt(trueMs: Milliseconds): Milliseconds {
    if (this.config === null) return trueMs;
    let last = this.windows[this.windows.length - 1];
    while (last.end <= trueMs) {
      last = this.windowAfter(last.end);
      this.windows.push(last);
    }
    while (this.windows.length > 1 && this.windows[0].end < trueMs - KEEP_BEHIND_MS) this.windows.shift();
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const w = this.windows[i];
      if (w.start <= trueMs && trueMs < w.end) return w.end;
      if (w.end <= trueMs) break;
    }
    return trueMs;
  }

  private windowAfter(timeMs: Milliseconds): Window {
    const c = this.config as StallConfig;
    const start = timeMs + this.rng.exponential(c.meanIntervalMs);
    return { start, end: start + c.durationMs };
  }
}
