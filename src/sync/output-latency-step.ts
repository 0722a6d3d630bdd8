/**
 * Step detection for the output timing's latency: a rejected reading that jumps at least
 * `stepMinMs` from the previous one starts a run, if that previous reading lay at the level in use
 * (within `toleranceMs`): after a glitch the readings wander before they settle (seen: 42, 51,
 * then 62 ms for a latency of 57), and a step measured from a wandering reading moved the latency
 * 11 ms the wrong way. Readings within `toleranceMs` of the run's median extend it;
 * `confirmReadings` of them confirm a step of (run median − level before the jump), as when the
 * output moves to a new route. Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link LatencyStep}. */
export interface LatencyStepOptions {
  /** A step starts with a jump of at least this between consecutive readings, ms… */
  readonly stepMinMs: Milliseconds;
  /** …and is confirmed by this many consecutive readings within toleranceMs of each other. */
  readonly confirmReadings: number;
  readonly toleranceMs: Milliseconds;
}

/** A run of rejected readings that may be a step; see the module comment. */
export class LatencyStep {
  private run: { preLevel: Milliseconds; values: Milliseconds[] } | null = null;

  constructor(private readonly options: LatencyStepOptions) {}

  /**
   * A rejected reading's implied latency, the one before it (null if none) and the latency in
   * use, ms. Returns the confirmed step (ms, to add to the latency), or null.
   */
  add(implied: Milliseconds, previous: Milliseconds | null, levelMs: Milliseconds): Milliseconds | null {
    const o = this.options;
    const run = this.run;
    const fromLevel = previous !== null && Math.abs(previous - levelMs) <= o.toleranceMs;
    if (run !== null && Math.abs(implied - median(run.values)) <= o.toleranceMs) {
      run.values.push(implied);
    } else if (fromLevel && Math.abs(implied - previous) >= o.stepMinMs) {
      this.run = { preLevel: previous, values: [implied] };
    } else {
      this.run = null;
    }
    const current = this.run;
    if (current === null || current.values.length < o.confirmReadings) return null;
    this.run = null;
    return median(current.values) - current.preLevel;
  }

  /** Forget the run. */
  reset(): void {
    this.run = null;
  }
}
