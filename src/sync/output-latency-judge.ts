/**
 * The output timing's rules for a reading once a latency is in use: accept it, reject it, or let
 * it replace or move the latency. In order:
 * - readings below the latency, steady and beyond their noise, replace it finely ({@link FollowDown}),
 *   unless the readings are still settling or the latency is proven (bench:sync: a proven latency
 *   followed a 4 ms dip of steady readings and the speaker played 4 ms late for 10 s; right after
 *   a render restart readings dipped 4–9 ms for 4–8 s three times, with the output put);
 * - a reading within `toleranceMs` is accepted; judged on a mature render line it also counts
 *   toward proving the latency (`provenReadings` of them since it was set);
 * - readings that disagree beyond what the ramp bug explains replace an unproven latency at once,
 *   unless they still trend ({@link ReadingDisagreement}; bench:sync: a glitch's readings jumped
 *   11 ms on a latency that follow-downs had kept unproven, and the speaker played 11 ms early);
 * - a sudden, then steady, step of the readings moves it by the step, once they no longer trend
 *   ({@link LatencyStep});
 * - a long flat run of rejected readings replaces it ({@link FlatRejections}), if above it or more
 *   than `flatMinDownMs` below (less is the fine offset's).
 * Pure.
 */
import { ReadingDisagreement, type ImpliedReading } from './output-disagreement.js';
import { FlatRejections } from './output-flat-rejections.js';
import { FollowDown } from './output-follow-down.js';
import type { Anchor } from './output-latency-baseline.js';
import { LatencyStep } from './output-latency-step.js';
import type { OutputTimingOptions } from './output-timing-options.js';
import type { Milliseconds } from './units.js';

/** The rule that replaced or moved the latency (diagnostics). */
export type LatencyRule = 'follow-down' | 'disagreement' | 'step' | 'flat';

/** What a reading does to the latency in use. */
export type LatencyRuling =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected' }
  /** Take these anchors as the baseline. */
  | { readonly kind: 'replace'; readonly anchors: readonly Anchor[]; readonly rule: LatencyRule }
  /** Move the latency by this much, ms. */
  | { readonly kind: 'move'; readonly deltaMs: Milliseconds; readonly rule: LatencyRule };

/** A reading to rule on, with its implied latency, when it was read and the implied latency of the one before (null: none), ms. */
export interface RuledReading extends ImpliedReading {
  readonly readAtMs: Milliseconds;
  readonly previousMs: Milliseconds | null;
}

/** The rules and their runs of readings; see the module comment. */
export class LatencyJudge {
  private readonly step: LatencyStep;
  private readonly disagreement: ReadingDisagreement;
  private readonly followDown: FollowDown;
  private readonly flatRejections: FlatRejections;
  /** The latest plausible readings judged on a mature line since the latency was set or the line restarted, oldest first. */
  private mature: ImpliedReading[] = [];
  /** How many of them the rules look at (the most any of them needs). */
  private readonly matureKept: number;
  /** Readings judged on a mature line that agreed with the latency since it was last set. */
  private agreedSinceSet = 0;
  /** When (readAtMs) the latency in use was last set. */
  private latencySinceMs = Number.NaN;

  constructor(private readonly o: OutputTimingOptions) {
    this.step = new LatencyStep({
      stepMinMs: o.stepMinMs, confirmReadings: o.stepConfirmReadings, slowConfirmReadings: o.slowStepConfirmReadings, smallUpMs: o.bigStepReadingMs, bigDownMs: o.bigDownStepMs, toleranceMs: o.toleranceMs,
    });
    this.disagreement = new ReadingDisagreement({
      readings: o.followReadings, toleranceMs: o.toleranceMs, maxRampMsPerSec: o.maxRampMsPerSec, grossReadings: o.grossReadings, grossMs: o.grossMs,
    });
    this.followDown = new FollowDown({ readings: o.followDownReadings, minGapMs: o.followDownMinMs, maxSpreadMs: o.followDownMaxSpreadMs, minSpanMs: o.followDownMinSpanMs });
    this.flatRejections = new FlatRejections({
      windowMs: o.steadyWindowMs, maxWindowMs: o.maxSteadyWindowMs, toleranceMs: o.toleranceMs, maxSlopeMsPerSec: o.maxSteadySlopeMsPerSec,
    });
    this.matureKept = Math.max(0, ...[o.followReadings, o.grossReadings, o.followDownReadings].filter(Number.isFinite));
  }

  /** Whether `provenReadings` readings judged on a mature line agreed with the latency since it was set. */
  get proven(): boolean {
    return this.agreedSinceSet >= this.o.provenReadings;
  }

  /** A plausible reading judged on a mature render line: the rules over runs look at the latest ones. */
  noteMature(reading: ImpliedReading): void {
    this.mature.push(reading);
    if (this.mature.length > this.matureKept) this.mature.shift();
  }

  /** A baseline reading was taken at `atMs`: the latency is being set (the runs go on). */
  baselineReading(atMs: Milliseconds): void {
    this.latencySinceMs = atMs;
    this.agreedSinceSet = 0;
  }

  /** The latency was replaced or moved at `atMs` (NaN: a fresh baseline comes): every run starts over. */
  latencySet(atMs: Milliseconds): void {
    this.latencySinceMs = atMs;
    this.agreedSinceSet = 0;
    this.step.reset();
    this.mature = [];
    this.flatRejections.reset();
  }

  /** The render line restarted: readings judged on the old one no longer count; `kept`: the latency was kept. */
  lineRestarted(kept: boolean): void {
    this.mature = [];
    if (!kept) this.agreedSinceSet = 0;
  }

  /**
   * The ruling on `r` against the latency in use. `mature`: the render line spans enough to judge
   * finely; `settling`: the readings still trend ({@link ReadingTrend}).
   */
  rule(r: RuledReading, latencyMs: Milliseconds, context: { readonly mature: boolean; readonly settling: boolean }): LatencyRuling {
    const lower = context.settling || this.proven ? null : this.followDown.check(this.mature, latencyMs);
    if (lower !== null) return { kind: 'replace', anchors: anchorsOf(lower), rule: 'follow-down' };
    if (Math.abs(r.impliedMs - latencyMs) <= this.o.toleranceMs) {
      this.step.reset();
      this.flatRejections.reset();
      if (context.mature) this.agreedSinceSet++;
      return { kind: 'accepted' };
    }
    const disagreeing = this.proven || context.settling ? null : this.disagreement.check(this.mature, latencyMs, (r.readAtMs - this.latencySinceMs) / 1000);
    if (disagreeing !== null) return { kind: 'replace', anchors: anchorsOf(disagreeing), rule: 'disagreement' };
    const stepMs = this.step.add(r.impliedMs, r.previousMs, latencyMs, context.settling);
    if (stepMs !== null) return { kind: 'move', deltaMs: stepMs, rule: 'step' };
    const agreedMs = this.flatRejections.add(r.readAtMs, r.impliedMs);
    if (agreedMs === null) return { kind: 'rejected' };
    const deltaMs = agreedMs - latencyMs;
    if (deltaMs < 0 && -deltaMs <= this.o.flatMinDownMs) return { kind: 'rejected' };
    return { kind: 'move', deltaMs, rule: 'flat' };
  }
}

function anchorsOf(readings: readonly ImpliedReading[]): Anchor[] {
  return readings.map(({ ctxMs, perfMs }) => ({ ctxMs, perfMs }));
}
