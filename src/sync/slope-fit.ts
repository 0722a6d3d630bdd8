/**
 * Least-squares slope of values over time, with its standard error: how fast a series of output
 * timestamp readings moves. Pure.
 */
import type { Milliseconds } from './units.js';

/** A value (ms) read at a time (ms). */
export interface TimedValue {
  readonly atMs: Milliseconds;
  readonly valueMs: Milliseconds;
}

/** Slope of the values over time and its standard error, both ms per s (se Infinity below 3 points). */
export function slopePerSec(points: readonly TimedValue[]): { slope: number; se: number } {
  const n = points.length;
  if (n < 3) return { slope: 0, se: Number.POSITIVE_INFINITY };
  const meanT = points.reduce((s, p) => s + p.atMs, 0) / n;
  const meanV = points.reduce((s, p) => s + p.valueMs, 0) / n;
  let sTT = 0;
  let sTV = 0;
  for (const p of points) {
    sTT += (p.atMs - meanT) ** 2;
    sTV += (p.atMs - meanT) * (p.valueMs - meanV);
  }
  if (sTT === 0) return { slope: 0, se: Number.POSITIVE_INFINITY };
  const slope = sTV / sTT;
  const residualVar = points.reduce((s, p) => s + (p.valueMs - meanV - slope * (p.atMs - meanT)) ** 2, 0) / (n - 2);
  return { slope: slope * 1000, se: Math.sqrt(residualVar / sTT) * 1000 };
}
