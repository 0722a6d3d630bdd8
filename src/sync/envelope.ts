import type { Milliseconds } from './units.js';

/**
 * One completed NTP-style exchange. t0 and t3 are the follower's local clock (send, receive);
 * t1 and t2 are the leader's shared time (receive, send). All in ms.
 *
 * With θ = shared − local: A = t1 − t0 = θ + d_fwd ≥ θ and B = t2 − t3 = θ − d_back ≤ θ, so every
 * sample bounds θ to the interval [B, A], whose width is the RTT.
 */
export interface ClockSample {
  readonly t0: Milliseconds;
  readonly t1: Milliseconds;
  readonly t2: Milliseconds;
  readonly t3: Milliseconds;
}

/** Upper bound of θ given by a sample (θ + forward delay), ms. */
export const upperBound = (s: ClockSample): Milliseconds => s.t1 - s.t0;
/** Lower bound of θ given by a sample (θ − backward delay), ms. */
export const lowerBound = (s: ClockSample): Milliseconds => s.t2 - s.t3;
/** Round-trip time excluding the leader's processing time, ms (≥ 0 up to clock resolution). */
export const roundTrip = (s: ClockSample): Milliseconds => s.t3 - s.t0 - (s.t2 - s.t1);

/** Which bound an envelope point comes from: +1 = A (upper, forward), −1 = B (lower, backward). */
export const EnvelopeSide = { Upper: 1, Lower: -1 } as const;
export type EnvelopeSide = (typeof EnvelopeSide)[keyof typeof EnvelopeSide];

/**
 * The tightest bound of one side within one time bucket: the lowest A (upper side) or the highest
 * B (lower side) after removing the current rate estimate. Its excess over θ ± min delay shrinks
 * roughly like 1/`count` when delays have density near their minimum.
 */
export interface EnvelopePoint {
  /** Local time the bound refers to (t0 for A, t3 for B), ms. */
  readonly localMs: Milliseconds;
  /** A or B of the selected sample, ms. */
  readonly value: Milliseconds;
  readonly side: EnvelopeSide;
  /** Samples that competed in the bucket (≥ 1). */
  readonly count: number;
}

interface Bucket {
  count: number;
  upper: ClockSample;
  upperKey: number;
  lower: ClockSample;
  lowerKey: number;
}

/**
 * Per-bucket envelope of the samples: buckets are `bucketMs` wide on an absolute local-time grid
 * (stable as the samples kept move on); within each, the minimum of A − rate·t0 and the maximum of
 * B − rate·t3 are selected, so a wrong rate does not bias the choice inside a bucket.
 * `rate` is dimensionless (ms/ms). Returns two points per non-empty bucket, ordered by bucket.
 */
export function selectEnvelope(
  samples: readonly ClockSample[],
  rate: number,
  bucketMs: Milliseconds,
): EnvelopePoint[] {
  const buckets = new Map<number, Bucket>();
  for (const s of samples) {
    const index = Math.floor(s.t0 / bucketMs);
    const origin = index * bucketMs;
    const upperKey = upperBound(s) - rate * (s.t0 - origin);
    const lowerKey = lowerBound(s) - rate * (s.t3 - origin);
    const bucket = buckets.get(index);
    if (bucket === undefined) {
      buckets.set(index, { count: 1, upper: s, upperKey, lower: s, lowerKey });
      continue;
    }
    bucket.count++;
    if (upperKey < bucket.upperKey) {
      bucket.upper = s;
      bucket.upperKey = upperKey;
    }
    if (lowerKey > bucket.lowerKey) {
      bucket.lower = s;
      bucket.lowerKey = lowerKey;
    }
  }
  const ordered = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const points: EnvelopePoint[] = [];
  for (const [, b] of ordered) {
    points.push({ localMs: b.upper.t0, value: upperBound(b.upper), side: EnvelopeSide.Upper, count: b.count });
    points.push({ localMs: b.lower.t3, value: lowerBound(b.lower), side: EnvelopeSide.Lower, count: b.count });
  }
  return points;
}
