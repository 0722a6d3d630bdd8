/**
 * When a speaker's playout became in sync and stayed so: the run of consecutive error measurements
 * within {@link IN_SYNC_MS} (the error and its 1σ both), and the shared time of the run's first.
 * A late join is timed by it (bench:late-join) from the speaker's own measurements, not from when
 * a poll of a page busy joining happened to see them. Pure.
 */
import type { Milliseconds } from './units.js';

/** In sync: |error| and its 1σ both below this, ms. */
export const IN_SYNC_MS = 1;

/** A snapshot of a {@link SyncRun} (plain JSON; `sinceSharedMs` is null without a run). */
export interface SyncRunState {
  readonly measurements: number;
  readonly sinceSharedMs: Milliseconds | null;
}

export class SyncRun {
  private count = 0;
  private sinceMs: Milliseconds | null = null;

  /** One measurement at shared time `atSharedMs`: extends the run, or ends it. */
  add(atSharedMs: Milliseconds, errorMs: Milliseconds, uncertaintyMs: Milliseconds): void {
    if (!(Math.abs(errorMs) < IN_SYNC_MS && uncertaintyMs < IN_SYNC_MS)) return this.reset();
    if (this.count === 0) this.sinceMs = atSharedMs;
    this.count++;
  }

  /** No run (a new plan). */
  reset(): void {
    this.count = 0;
    this.sinceMs = null;
  }

  get state(): SyncRunState {
    return { measurements: this.count, sinceSharedMs: this.sinceMs };
  }
}
