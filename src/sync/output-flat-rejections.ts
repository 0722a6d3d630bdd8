/**
 * The output-timing safety net for a wrong latency baseline: readings that keep being rejected
 * while staying flat (within a tolerance of their median and with almost no slope, so not the
 * ramping-latency bug) are evidence that the baseline, not the readings, is wrong. Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link FlatRejections}. */
export interface FlatRejectionsOptions {
  /** The rejected readings must span this long, ms… */
  readonly windowMs: Milliseconds;
  /** …stay within this of their median, ms… */
  readonly toleranceMs: Milliseconds;
  /** …and have a least-squares slope of at most this, ms per s (the ramp bug is ≥ 0.03 ms/s). */
  readonly maxSlopeMsPerSec: number;
}

interface Point {
  readonly atMs: Milliseconds;
  readonly impliedMs: Milliseconds;
}

/** Consecutive rejected readings; see the module comment. */
export class FlatRejections {
  private points: Point[] = [];

  constructor(private readonly options: FlatRejectionsOptions) {}

  /**
   * Add a rejected reading (read at `atMs`, implying latency `impliedMs`). Returns the latency the
   * readings agree on once they have been flat for the whole window (and starts over), else null.
   */
  add(atMs: Milliseconds, impliedMs: Milliseconds): Milliseconds | null {
    const o = this.options;
    this.points.push({ atMs, impliedMs });
    const first = this.points[0]!;
    if (atMs - first.atMs < o.windowMs) return null;
    const values = this.points.map((p) => p.impliedMs);
    const mid = median(values);
    const flat = values.every((v) => Math.abs(v - mid) <= o.toleranceMs) && Math.abs(slopePerSec(this.points)) <= o.maxSlopeMsPerSec;
    if (!flat) {
      this.points = this.points.filter((p) => atMs - p.atMs < o.windowMs / 2);
      return null;
    }
    this.points = [];
    return mid;
  }

  /** A reading was accepted (or the latency moved otherwise): the run is over. */
  reset(): void {
    this.points = [];
  }
}

/** Least-squares slope of implied latency over read time, ms per s. */
function slopePerSec(points: readonly Point[]): number {
  const n = points.length;
  const meanT = points.reduce((s, p) => s + p.atMs, 0) / n;
  const meanV = points.reduce((s, p) => s + p.impliedMs, 0) / n;
  let sTT = 0;
  let sTV = 0;
  for (const p of points) {
    sTT += (p.atMs - meanT) ** 2;
    sTV += (p.atMs - meanT) * (p.impliedMs - meanV);
  }
  return sTT === 0 ? 0 : (sTV / sTT) * 1000;
}
