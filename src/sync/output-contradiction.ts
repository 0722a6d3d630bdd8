/**
 * Whether the latest output timestamp readings contradict the latency in use, judged coarsely on
 * any render line (however young: it is at most about a quantum off) — what a speaker checks
 * before it starts. bench:sync's speakers started on baselines taken while their pages were busy
 * (99–118 ms against a true ~60) although the readings at the press already said 81–104: they
 * played 43–64 ms early for 4.5 s, until the lines were old enough to judge. Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link LatencyContradiction}. */
export interface LatencyContradictionOptions {
  /** The latest this many readings are judged together… */
  readonly readings: number;
  /** …and contradict when their median lies more than this off the latency in use, ms… */
  readonly contradictMs: Milliseconds;
  /** …below it, or above it by more than a ramp of this many ms per s since it was set (Chromium's ramping readings). */
  readonly maxRampMsPerSec: number;
}

/** The latest implied latencies; see the module comment. */
export class LatencyContradiction {
  private recent: Milliseconds[] = [];

  constructor(private readonly options: LatencyContradictionOptions) {}

  /** A plausible reading's implied latency, ms. */
  add(impliedMs: Milliseconds): void {
    this.recent = [...this.recent, impliedMs].slice(-this.options.readings);
  }

  /** Whether the readings contradict `latencyMs`, set `ageSec` ago (see the options). */
  contradicts(latencyMs: Milliseconds, ageSec: number): boolean {
    const o = this.options;
    if (this.recent.length < o.readings || !Number.isFinite(latencyMs)) return false;
    const gapMs = median(this.recent) - latencyMs;
    if (Math.abs(gapMs) <= o.contradictMs) return false;
    return gapMs < 0 || gapMs > o.maxRampMsPerSec * (Number.isFinite(ageSec) ? ageSec : 0);
  }
}
