/** Small statistics for benchmarks. */

import type { Milliseconds } from '../src/sync/units.js';

/** The q-quantile (0..1) of ascending-sorted values, by nearest rank; NaN when empty. */
export function percentile(sortedAscending: readonly number[], q: number): number {
  if (sortedAscending.length === 0) return NaN;
  const index = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil(q * sortedAscending.length) - 1));
  return sortedAscending[index]!;
}

/** |value| percentiles, ms. */
export interface AbsStats {
  readonly samples: number;
  readonly p50Ms: Milliseconds;
  readonly p95Ms: Milliseconds;
  readonly p99Ms: Milliseconds;
  readonly maxMs: Milliseconds;
  /** Signed median: a constant bias shows here. */
  readonly medianSignedMs: Milliseconds;
  /** p95 of |value − signed median|: how steadily the offset is held, whatever its constant part. */
  readonly p95AroundMedianMs: Milliseconds;
}

/** |value| percentiles of `values` (NaN when empty), with the signed median and the spread around it. */
export function absStats(values: readonly number[]): AbsStats {
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  const signed = [...values].sort((a, b) => a - b);
  const medianSignedMs = percentile(signed, 0.5);
  const around = values.map((v) => Math.abs(v - medianSignedMs)).sort((a, b) => a - b);
  return {
    samples: abs.length,
    p50Ms: percentile(abs, 0.5),
    p95Ms: percentile(abs, 0.95),
    p99Ms: percentile(abs, 0.99),
    maxMs: abs.at(-1) ?? NaN,
    medianSignedMs,
    p95AroundMedianMs: percentile(around, 0.95),
  };
}
