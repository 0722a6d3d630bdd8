/**
 * Whether an output latency is physically possible: not negative, and not far above what the
 * browser itself reports (`outputLatency`). A latency in use that stays implausible for
 * `implausibleReadings` readings in a row is to be discarded (start-up readings can be garbage:
 * seen −300 ms). Pure.
 */
import type { Milliseconds } from './units.js';

export class LatencyPlausibility {
  private browserMs: Milliseconds | null = null;
  private implausibleRun = 0;
  /** Baselines discarded as implausible. */
  discarded = 0;

  /**
   * @param maxExtraLatencyMs how far above the browser's own latency a latency may lie, ms
   * @param implausibleReadings readings in a row with an implausible latency that discard it
   */
  constructor(
    private readonly maxExtraLatencyMs: Milliseconds,
    private readonly implausibleReadings: number,
  ) {}

  /** The browser's own output latency, ms (null before any reading). */
  get browserLatencyMs(): Milliseconds | null {
    return this.browserMs;
  }

  /** A reading came with the browser's `outputLatency`, s (ignored when not finite). */
  noteBrowserLatency(outputLatencySec: number | undefined): void {
    if (outputLatencySec !== undefined && Number.isFinite(outputLatencySec)) this.browserMs = outputLatencySec * 1000;
  }

  /** Whether a latency (ms) is physically possible. */
  plausible(latencyMs: Milliseconds): boolean {
    return latencyMs >= -1 && latencyMs <= Math.max(0, this.browserMs ?? 0) + this.maxExtraLatencyMs;
  }

  /** A reading was made with `latencyMs` in use: true when it has been implausible long enough to discard. */
  discards(latencyMs: Milliseconds): boolean {
    if (!Number.isFinite(latencyMs)) return false;
    if (this.plausible(latencyMs)) {
      this.implausibleRun = 0;
      return false;
    }
    if (++this.implausibleRun < this.implausibleReadings) return false;
    this.implausibleRun = 0;
    this.discarded++;
    return true;
  }
}
