/** A bounded, time-windowed series of playout errors for the dashboard's live plot. */
import type { Milliseconds } from '../sync/units.js';

/** One point: the error (ms) estimated at a shared time (ms). */
export interface ErrorPoint {
  readonly atSharedMs: Milliseconds;
  readonly errorMs: Milliseconds;
}

/** Keeps points of the last `windowMs` (default 60 s), at most one per `minSpacingMs`. */
export class ErrorHistory {
  private series: ErrorPoint[] = [];

  constructor(
    private readonly windowMs: Milliseconds = 60_000,
    private readonly minSpacingMs: Milliseconds = 250,
  ) {}

  /** Add a point; ignored if too close to the previous one or not finite. */
  add(atSharedMs: Milliseconds, errorMs: Milliseconds): void {
    if (!Number.isFinite(atSharedMs) || !Number.isFinite(errorMs)) return;
    const last = this.series[this.series.length - 1];
    if (last !== undefined && atSharedMs - last.atSharedMs < this.minSpacingMs) return;
    this.series.push({ atSharedMs, errorMs });
    const cutoff = atSharedMs - this.windowMs;
    while (this.series.length > 0 && this.series[0]!.atSharedMs < cutoff) this.series.shift();
  }

  /** The points, oldest first. */
  points(): readonly ErrorPoint[] {
    return this.series;
  }
}
