import { lowerBound, upperBound, type ClockSample } from './envelope.js';
import { mappingOffsetAt, type LinearMapping } from './linear-mapping.js';
import type { Milliseconds } from './units.js';

/**
 * Where the samples' bounds touch a line θ̂(t): the `rank`-th smallest A − θ̂(t0) (≈ the minimum
 * forward delay) and the `rank`-th largest B − θ̂(t3) (≈ minus the minimum backward delay), ms.
 */
export interface SampleSupport {
  readonly upperMs: Milliseconds;
  readonly lowerMs: Milliseconds;
}

/**
 * The support of the fitted samples around `line`. A delay cannot be
 * below its true minimum, so the extreme bounds are genuine, and their excess over the minimum
 * does not depend on how densely each direction populates the region near it (which biases
 * per-bucket minima when the two directions' shapes differ). `rank` = 2 ignores one freak point
 * per side. Null with fewer than `rank` samples. O(n), allocating 2·rank numbers.
 */
export function sampleSupport(
  samples: readonly ClockSample[],
  line: LinearMapping,
  rank: number,
): SampleSupport | null {
  if (rank < 1 || samples.length < rank) return null;
  const lowestUpper = new Array<number>(rank).fill(Number.POSITIVE_INFINITY);
  const negatedLower = new Array<number>(rank).fill(Number.POSITIVE_INFINITY);
  for (const s of samples) {
    insertAscending(lowestUpper, upperBound(s) - mappingOffsetAt(line, s.t0));
    insertAscending(negatedLower, mappingOffsetAt(line, s.t3) - lowerBound(s));
  }
  return { upperMs: lowestUpper[rank - 1], lowerMs: -negatedLower[rank - 1] };
}

/** Keep `smallest` (ascending, fixed length) the smallest values seen, inserting `value`. */
function insertAscending(smallest: number[], value: number): void {
  let i = smallest.length - 1;
  if (!(value < smallest[i])) return;
  while (i > 0 && smallest[i - 1] > value) {
    smallest[i] = smallest[i - 1];
    i--;
  }
  smallest[i] = value;
}
