/**
 * The output-timing safety net for a wrong latency baseline: readings that keep being rejected
 * while staying flat (within a tolerance of their median, and with a slope known to be below the
 * ramping-latency bug's slowest ramp) are evidence that the baseline, not the readings, is wrong.
 * Noisy readings need a longer run to show that: the run grows up to `maxWindowMs` until the
 * slope's 95 % bound clears. Pure.
 */
import { median } from './median.js';
import { slopePerSec, type TimedValue } from './slope-fit.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link FlatRejections}. */
export interface FlatRejectionsOptions {
  /** The rejected readings must span at least this long, ms… */
  readonly windowMs: Milliseconds;
  /** …and are judged over at most the latest this long, ms… */
  readonly maxWindowMs: Milliseconds;
  /** …nine in ten within this of their median, ms… */
  readonly toleranceMs: Milliseconds;
  /** …with a least-squares slope whose 95 % bound stays below this, ms per s (the ramp bug's slowest). */
  readonly maxSlopeMsPerSec: number;
}

/** Share of the readings that must lie within the tolerance of their median. */
const WITHIN_SHARE = 0.9;

/** Consecutive rejected readings; see the module comment. */
export class FlatRejections {
  private points: TimedValue[] = [];

  constructor(private readonly options: FlatRejectionsOptions) {}

  /**
   * Add a rejected reading (read at `atMs`, implying latency `impliedMs`). Returns the latency the
   * readings agree on once they have been flat long enough (and starts over), else null.
   */
  add(atMs: Milliseconds, impliedMs: Milliseconds): Milliseconds | null {
    const o = this.options;
    this.points.push({ atMs, valueMs: impliedMs });
    this.points = this.points.filter((p) => atMs - p.atMs <= o.maxWindowMs);
    const first = this.points[0]!;
    if (atMs - first.atMs < o.windowMs) return null;
    const values = this.points.map((p) => p.valueMs);
    const mid = median(values);
    const within = values.filter((v) => Math.abs(v - mid) <= o.toleranceMs).length;
    const fit = slopePerSec(this.points);
    const flat = within >= WITHIN_SHARE * values.length && Math.abs(fit.slope) + 2 * fit.se < o.maxSlopeMsPerSec;
    if (!flat) return null;
    this.points = [];
    return mid;
  }

  /** A reading was accepted (or the latency moved otherwise): the run is over. */
  reset(): void {
    this.points = [];
  }
}
