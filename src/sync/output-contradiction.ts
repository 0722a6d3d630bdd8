/**
 * Whether the latest output timestamp readings contradict the latency in use, judged coarsely on
 * any render line (however young: it is at most about a quantum off) — what a speaker checks
 * before it starts. Only readings BELOW the latency count: under CPU load (decoding at the press)
 * Chromium's readings come 15–30 ms high for seconds while the output stays put, so higher
 * readings say little; lower ones expose a baseline taken high on a busy page. bench:sync's
 * speakers started on such baselines (99–118 ms against a true ~60) although the readings at the
 * press already said 81–104: they played 43–64 ms early for 4.5 s, until their render lines were
 * old enough to replace the latency. Counting higher readings too made two speakers with right
 * latencies wait 3.8–6.3 s after the press. How far the readings lie ABOVE the latency is told too:
 * settling readings far above it do not hold a start back (OutputTiming.startable). Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link LatencyContradiction}. */
export interface LatencyContradictionOptions {
  /** The latest this many readings are judged together… */
  readonly readings: number;
  /** …and contradict when their median lies more than this below the latency in use, ms. */
  readonly contradictMs: Milliseconds;
}

/** The latest implied latencies; see the module comment. */
export class LatencyContradiction {
  private recent: Milliseconds[] = [];

  constructor(private readonly options: LatencyContradictionOptions) {}

  /** A plausible reading's implied latency, ms. */
  add(impliedMs: Milliseconds): void {
    this.recent = [...this.recent, impliedMs].slice(-this.options.readings);
  }

  /** How far the latest readings' median lies below `latencyMs`, ms (0 when above, or too few readings). */
  gapBelowMs(latencyMs: Milliseconds): Milliseconds {
    return Math.max(0, -this.offsetMs(latencyMs));
  }

  /**
   * How far the latest readings' median lies above `latencyMs`, ms (0 when below, or too few
   * readings): a busy page's readings, high for seconds while the output stays put.
   */
  gapAboveMs(latencyMs: Milliseconds): Milliseconds {
    return Math.max(0, this.offsetMs(latencyMs));
  }

  /** How far the latest readings' median lies from `latencyMs` either way, ms (0 while too few readings). */
  distanceMs(latencyMs: Milliseconds): Milliseconds {
    return Math.abs(this.offsetMs(latencyMs));
  }

  /** Whether the readings contradict `latencyMs` (see the options). */
  contradicts(latencyMs: Milliseconds): boolean {
    return this.gapBelowMs(latencyMs) > this.options.contradictMs;
  }

  /** The latest readings' median − `latencyMs`, ms (0 while too few readings, or without a latency). */
  private offsetMs(latencyMs: Milliseconds): Milliseconds {
    if (this.recent.length < this.options.readings || !Number.isFinite(latencyMs)) return 0;
    return median(this.recent) - latencyMs;
  }
}
