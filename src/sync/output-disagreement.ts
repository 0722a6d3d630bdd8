/**
 * The output timing's quick repair of a wrong latency baseline: when most of the latest readings
 * disagree with the latency in use in a way Chromium's ramping-latency bug cannot explain, they
 * become the new baseline. The bug only ever makes readings late, and slowly, so readings implying
 * a LOWER latency always count, and readings implying a higher one only while their lead exceeds
 * `maxRampMsPerSec` times the age of the latency in use. Noise does not stop it: no flat run is
 * needed. A gross disagreement (the latest `grossReadings` all more than `grossMs` off on one side)
 * is followed at once: a render line that restarts every ~2 s on a busy page clears the readings
 * before 16 are in, and bench:sync's late joiner played 40–60 ms off for 3 s that way. Pure.
 */
import { median } from './median.js';
import type { Milliseconds } from './units.js';

/** Tuning of {@link ReadingDisagreement}. */
export interface ReadingDisagreementOptions {
  /** The latest this many readings are judged together. */
  readonly readings: number;
  /**
   * They disagree when their median is more than 2·toleranceMs off the latency and three
   * quarters of them more than toleranceMs off on the same side, ms.
   */
  readonly toleranceMs: Milliseconds;
  /** The ramp bug grows at most this fast, ms per s: a larger lead of the readings is no ramp. */
  readonly maxRampMsPerSec: number;
  /** The latest this many readings (≤ `readings`)… */
  readonly grossReadings: number;
  /** …all more than this off on the same side are followed without waiting for the rest, ms. */
  readonly grossMs: Milliseconds;
}

/** One reading on the current render line: its context time, the host time it is heard at, and its implied latency, ms. */
export interface ImpliedReading {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
  readonly impliedMs: Milliseconds;
}

/** The rule; see the module comment. */
export class ReadingDisagreement {
  constructor(private readonly options: ReadingDisagreementOptions) {}

  /**
   * The readings to take as the new baseline if the latest of `recent` (oldest first) disagree
   * with `latencyMs` (set `ageSec` ago) beyond what the ramp bug explains; otherwise null.
   */
  check(recent: readonly ImpliedReading[], latencyMs: Milliseconds, ageSec: number): readonly ImpliedReading[] | null {
    return this.gross(recent, latencyMs, ageSec) ?? this.most(recent, latencyMs, ageSec);
  }

  /** The latest `grossReadings`, if all lie more than `grossMs` off on one side (and no ramp explains it). */
  private gross(recent: readonly ImpliedReading[], latencyMs: Milliseconds, ageSec: number): readonly ImpliedReading[] | null {
    const o = this.options;
    if (recent.length < o.grossReadings) return null;
    const latest = recent.slice(-o.grossReadings);
    const offsets = latest.map((r) => r.impliedMs - latencyMs);
    const side = Math.sign(offsets[0]!);
    if (!offsets.every((d) => side * d > o.grossMs)) return null;
    return this.beyondRamp(median(offsets), ageSec) ? latest : null;
  }

  /** All `readings`, if their median is off by 2·tolerance and three quarters of them beyond tolerance on that side. */
  private most(recent: readonly ImpliedReading[], latencyMs: Milliseconds, ageSec: number): readonly ImpliedReading[] | null {
    const o = this.options;
    if (recent.length < o.readings) return null;
    const latest = recent.slice(-o.readings);
    const implied = latest.map((r) => r.impliedMs);
    const gap = median(implied) - latencyMs;
    const beyond = implied.filter((v) => Math.sign(gap) * (v - latencyMs) > o.toleranceMs).length;
    if (Math.abs(gap) <= 2 * o.toleranceMs || beyond < 0.75 * implied.length) return null;
    return this.beyondRamp(gap, ageSec) ? latest : null;
  }

  /** A gap (readings − latency, ms) the ramp bug cannot explain after `ageSec`: any lag, or a lead faster than its ramp. */
  private beyondRamp(gapMs: Milliseconds, ageSec: number): boolean {
    return gapMs < 0 || gapMs > this.options.maxRampMsPerSec * ageSec;
  }
}
