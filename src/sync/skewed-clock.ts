/**
 * A tab's local clock: the performance clock, optionally offset and skewed for diagnostics
 * (`&clockOffsetMs=…&clockRatePpm=…`), so that several tabs on one machine — which all share
 * one real clock — have genuinely different clocks for the sync protocol to discover.
 *
 * local = perf · (1 + ratePpm·1e-6) + offsetMs. Both directions are exact inverses.
 */
import type { Milliseconds, Ppm } from './units.js';

export class SkewedClock {
  private readonly rate: number;

  /**
   * @param perfNow the underlying monotonic clock in ms (the page clock in the browser)
   * @param offsetMs added to every reading
   * @param ratePpm how much faster than `perfNow` this clock runs
   */
  constructor(
    private readonly perfNow: () => Milliseconds,
    readonly offsetMs: Milliseconds = 0,
    readonly ratePpm: Ppm = 0,
  ) {
    this.rate = 1 + ratePpm * 1e-6;
  }

  /** True when an offset or skew is injected. */
  get injected(): boolean {
    return this.offsetMs !== 0 || this.ratePpm !== 0;
  }

  /** This tab's local time now, ms. */
  readonly now = (): Milliseconds => this.fromPerfMs(this.perfNow());

  /** Local time at performance time `perfMs`. */
  fromPerfMs(perfMs: Milliseconds): Milliseconds {
    return perfMs * this.rate + this.offsetMs;
  }

  /** Performance time at local time `localMs`. */
  toPerfMs(localMs: Milliseconds): Milliseconds {
    return (localMs - this.offsetMs) / this.rate;
  }
}
