import type { Milliseconds } from '../../src/sync/units.js';
import type { Rng } from './rng.js';

/**
 * One-way delay of one direction of a link: base + core jitter (exponential) + sometimes a heavy
 * tail (log-normal, capped) + rarely a spike; packets may be lost. All in ms, probabilities 0..1.
 */
export interface DirectionConfig {
  /** Minimum one-way delay, ms. */
  readonly baseMs: Milliseconds;
  /** Mean of the core jitter, ms (exponential by default: density is highest at the minimum). */
  readonly coreMeanMs: Milliseconds;
  /**
   * Integer gamma shape of the core jitter (default 1 = exponential). With shape k the density
   * near the minimum grows like x^(k−1): near-minimum delays are rare although the minimum is the same.
   */
  readonly coreShape?: number;
  /** Probability that a packet also gets a heavy-tail delay. */
  readonly tailProb: number;
  /** Median of the log-normal tail delay, ms. */
  readonly tailMedianMs: Milliseconds;
  /** Log-normal sigma of the tail (natural log). */
  readonly tailSigma: number;
  /** Cap of the tail delay, ms. */
  readonly tailMaxMs: Milliseconds;
  /** Probability of a spike (queueing, retransmission). */
  readonly spikeProb: number;
  readonly spikeMinMs: Milliseconds;
  readonly spikeMaxMs: Milliseconds;
  /** Probability that the packet is lost. */
  readonly lossProb: number;
}

/** No jitter, no loss: a fixed delay. */
export function fixedDelay(baseMs: Milliseconds): DirectionConfig {
  return {
    baseMs,
    coreMeanMs: 0,
    tailProb: 0,
    tailMedianMs: 0,
    tailSigma: 0,
    tailMaxMs: 0,
    spikeProb: 0,
    spikeMinMs: 0,
    spikeMaxMs: 0,
    lossProb: 0,
  };
}

/** The same direction with every jitter component (not the base) multiplied by `factor`. */
export function scaleJitter(config: DirectionConfig, factor: number): DirectionConfig {
  return {
    ...config,
    coreMeanMs: config.coreMeanMs * factor,
    tailMedianMs: config.tailMedianMs * factor,
    tailMaxMs: config.tailMaxMs * factor,
  };
}

/** A delay drawn from `config` (ms), or null when the packet is lost. */
export function sampleDelay(rng: Rng, config: DirectionConfig): Milliseconds | null {
  if (config.lossProb > 0 && rng.chance(config.lossProb)) return null;
  let delay = config.baseMs;
  if (config.coreMeanMs > 0) {
    const shape = Math.max(1, Math.round(config.coreShape ?? 1));
    for (let i = 0; i < shape; i++) delay += rng.exponential(config.coreMeanMs / shape);
  }
  if (config.tailProb > 0 && rng.chance(config.tailProb)) {
    const tail = config.tailMedianMs * Math.exp(rng.normal(0, config.tailSigma));
    delay += Math.min(tail, config.tailMaxMs);
  }
  if (config.spikeProb > 0 && rng.chance(config.spikeProb)) delay += rng.uniform(config.spikeMinMs, config.spikeMaxMs);
  return delay;
}
