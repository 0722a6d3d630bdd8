import { lowerBound, upperBound, type ClockSample } from './envelope.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link JumpDetector}. */
export interface JumpDetectorOptions {
  /** Fixed slack beyond a sample's feasibility interval, ms (clock resolution, asymmetry). */
  readonly toleranceMs: Milliseconds;
  /** Slack added per unit of the estimate's 1-sigma uncertainty. */
  readonly uncertaintySigmas: number;
  /** The most recent this-many samples are considered... */
  readonly recentSamples: number;
  /** ...and a jump is declared when at least this many of them are violated. */
  readonly violations: number;
}

/** Defaults tuned with bench/clock-sim.ts. */
export const DEFAULT_JUMP_DETECTOR_OPTIONS: JumpDetectorOptions = {
  toleranceMs: 0.3,
  uncertaintySigmas: 4,
  recentSamples: 8,
  violations: 3,
};

/**
 * Detects clock jumps (sleep/wake, a leader that restarted its timeline) with the feasibility
 * intervals of samples: the true θ always lies in [B, A], so a correct estimate can only fall
 * outside by its own error. Delay spikes and stalls only widen the interval, so they never
 * trigger it; a jump makes most new samples violate the prediction.
 */
export class JumpDetector {
  private readonly options: JumpDetectorOptions;
  private recent: boolean[] = [];

  constructor(options: Partial<JumpDetectorOptions> = {}) {
    this.options = { ...DEFAULT_JUMP_DETECTOR_OPTIONS, ...options };
  }

  /**
   * Record whether `sample` is consistent with the predicted offset θ̂(local) (ms), whose 1-sigma
   * uncertainty is `uncertaintyMs`. `violated`: this sample contradicts the estimate (keep it out of
   * the fit); `jump`: the recent samples show that a clock jumped.
   */
  check(
    sample: ClockSample,
    offsetAt: (localMs: Milliseconds) => Milliseconds,
    uncertaintyMs: Milliseconds,
  ): { violated: boolean; jump: boolean } {
    const o = this.options;
    const slack = o.toleranceMs + o.uncertaintySigmas * uncertaintyMs;
    const violated = offsetAt(sample.t0) > upperBound(sample) + slack || offsetAt(sample.t3) < lowerBound(sample) - slack;
    this.recent.push(violated);
    if (this.recent.length > o.recentSamples) this.recent.shift();
    return { violated, jump: this.recent.filter(Boolean).length >= o.violations };
  }

  /** Forget the recent history (after a reset). */
  clear(): void {
    this.recent = [];
  }
}
