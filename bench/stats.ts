/** Small statistics for benchmarks. */

/** The q-quantile (0..1) of ascending-sorted values, by nearest rank; NaN when empty. */
export function percentile(sortedAscending: readonly number[], q: number): number {
  if (sortedAscending.length === 0) return NaN;
  const index = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil(q * sortedAscending.length) - 1));
  return sortedAscending[index]!;
}
