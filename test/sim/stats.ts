/** Small statistics helpers for simulations and benchmarks. */

/** The q-quantile (0..1) of `values` by linear interpolation; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summary of absolute values (e.g. |error| in ms). */
export interface AbsSummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** p50/p95/p99/max/mean of |values|. */
export function summarizeAbs(values: readonly number[]): AbsSummary {
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  const at = (q: number): number => percentile(abs, q);
  return {
    count: abs.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: abs.length === 0 ? Number.NaN : abs[abs.length - 1],
    mean: abs.length === 0 ? Number.NaN : abs.reduce((s, v) => s + v, 0) / abs.length,
  };
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
