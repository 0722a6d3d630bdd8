import { lowerBound, upperBound, type ClockSample } from './envelope.js';
import { mappingOffsetAt, type LinearMapping } from './linear-mapping.js';
import type { Milliseconds } from './units.js';

/**
 * The largest error an estimate θ̂ can have at `localMs` given the newest `count` samples, ms.
 *
 * Delays are never negative, so each sample pins the true offset at its own time to its interval
 * [B, A] (width = its round trip), whatever the delay distribution or asymmetry. Carried to
 * `localMs` along the estimate's rate, widened by `rateMargin` (dimensionless, e.g. 2σ of the rate)
 * times the distance, the interval bounds θ there too; when θ̂ lies inside it, |θ̂ − θ| is at most
 * the distance to its farther end. Returns the smallest such bound, or ∞ when no sample's interval
 * contains θ̂ (no claim is made then).
 *
 * A statistical uncertainty can exceed this when most of the fitted data is bad: after seconds of
 * stalled replies (a joiner fetching a track on a busy machine), the robust residual scale was
 * 20–45 ms and the uncertainty 2 ms while replies with 1.2–2 ms round trips placed the estimate
 * within 1 ms.
 */
export function feasibleErrorBound(
  samples: readonly ClockSample[],
  line: LinearMapping,
  rateMargin: number,
  localMs: Milliseconds,
  count: number,
): Milliseconds {
  const estimate = mappingOffsetAt(line, localMs);
  let best = Number.POSITIVE_INFINITY;
  for (let i = Math.max(0, samples.length - count); i < samples.length; i++) {
    const { above, below } = intervalAt(samples[i], line.rate, rateMargin, localMs);
    if (estimate > above || estimate < below) continue;
    best = Math.min(best, Math.max(above - estimate, estimate - below));
  }
  return best;
}

/**
 * How far `mapping` lies outside the intervals [B, A] of `samples`, each at its own time, ms (0 when
 * every one allows it). A late reply only widens its interval, so unlike the distance to an
 * estimate this cannot be raised by one.
 */
export function mappingContradictionMs(samples: readonly ClockSample[], mapping: LinearMapping): Milliseconds {
  let worst = 0;
  for (const s of samples) {
    worst = Math.max(worst, mappingOffsetAt(mapping, s.t0) - upperBound(s), lowerBound(s) - mappingOffsetAt(mapping, s.t3));
  }
  return worst;
}

/** The interval a sample puts on θ at `localMs`, carried along `rate` and widened by `rateMargin` per ms of distance. */
function intervalAt(s: ClockSample, rate: number, rateMargin: number, localMs: Milliseconds): { above: Milliseconds; below: Milliseconds } {
  return {
    above: upperBound(s) + rate * (localMs - s.t0) + rateMargin * Math.abs(localMs - s.t0),
    below: lowerBound(s) + rate * (localMs - s.t3) - rateMargin * Math.abs(localMs - s.t3),
  };
}
