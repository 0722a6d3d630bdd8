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
    const s = samples[i];
    const above = upperBound(s) + line.rate * (localMs - s.t0) + rateMargin * Math.abs(localMs - s.t0);
    const below = lowerBound(s) + line.rate * (localMs - s.t3) - rateMargin * Math.abs(localMs - s.t3);
    if (estimate > above || estimate < below) continue;
    best = Math.min(best, Math.max(above - estimate, estimate - below));
  }
  return best;
}
