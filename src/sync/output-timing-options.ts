/**
 * The output timing's inputs and tuning: one getOutputTimestamp() reading, what was done with it,
 * and the options of `OutputTiming` with their defaults (see output-timing.ts).
 */
import type { FineLatencyOptions } from './output-fine-latency-options.js';
import type { LatencyRule } from './output-latency-judge.js';
import type { RenderClockOptions } from './output-render-clock.js';
import type { Milliseconds, Seconds } from './units.js';

/** One getOutputTimestamp() result of an audio context (plus its outputLatency), and when it was read. */
export interface OutputReading {
  /** Context time of the frame being heard, s. */
  readonly contextTimeSec: Seconds;
  /** Page clock (ms) at which that frame is heard. */
  readonly performanceTimeMs: Milliseconds;
  /** Page clock (ms) when read. */
  readonly readAtMs: Milliseconds;
  /** The context's outputLatency at the time, s (diagnostics only). */
  readonly outputLatencySec?: Seconds;
}

/** What {@link OutputTiming.addReading} did with a reading. */
export const OutputReadingVerdict = {
  /** Part of the latency baseline. */
  Baseline: 'baseline',
  /** Agrees with the latency in use. */
  Accepted: 'accepted',
  /** Disagrees (e.g. the ramping-latency bug): ignored. */
  Rejected: 'rejected',
  /** Invalid, too old, not advancing, or no render clock yet: ignored. */
  Stale: 'stale',
  /**
   * Of a frame the render clock has not seen reported yet (its reports wait on a busy main
   * thread): taken once they come, with its own verdict then.
   */
  Deferred: 'deferred',
  /** Confirmed a step of the latency: the latency moved by it. */
  Rebaselined: 'rebaselined',
} as const;
export type OutputReadingVerdict = (typeof OutputReadingVerdict)[keyof typeof OutputReadingVerdict];

/** Tuning of `OutputTiming`. */
export interface OutputTimingOptions {
  readonly sampleRateHz: number;
  readonly render: Partial<Omit<RenderClockOptions, 'sampleRateHz'>>;
  /** Tuning of the latency's fine part (output-fine-latency.ts). */
  readonly fine: Partial<FineLatencyOptions>;
  /** The first this many readings (once the render clock runs) form the baseline. */
  readonly baselineReadings: number;
  /** `ready` once this many baseline readings are in. */
  readonly minBaselineReadings: number;
  /** Readings within this of the latency are accepted, ms. */
  readonly toleranceMs: Milliseconds;
  /** A step starts with a jump of at least this between consecutive readings, ms… */
  readonly stepMinMs: Milliseconds;
  /** …and is confirmed by this many consecutive readings within toleranceMs of each other. */
  readonly stepConfirmReadings: number;
  /**
   * An upward step smaller than `bigStepReadingMs`, or a downward one larger than `bigDownStepMs`
   * (ms), needs this many (see output-latency-step.ts).
   */
  readonly slowStepConfirmReadings: number;
  readonly bigDownStepMs: Milliseconds;
  /** Readings older than this when read are stale, ms. */
  readonly maxAgeMs: Milliseconds;
  /** Without any frame report after this many valid readings, the readings alone are used. */
  readonly fallbackAfterReadings: number;
  /**
   * The last this many readings become the new baseline when their median is more than
   * 2·toleranceMs off the latency and three quarters of them more than toleranceMs off on the
   * same side (above it only while the ramp bug cannot explain the lead; see maxRampMsPerSec).
   */
  readonly followReadings: number;
  /** The ramp bug grows at most this fast, ms per s: a larger lead of the readings is no ramp. */
  readonly maxRampMsPerSec: number;
  /**
   * The latest this many readings become the new baseline at once when all lie more than
   * `grossMs` off the latency on the same side (and no ramp explains the lead).
   */
  readonly grossReadings: number;
  readonly grossMs: Milliseconds;
  /**
   * Once this many readings judged on a mature line agreed with the latency since it was set, it is
   * proven: readings that disagree no longer replace it at once (the two rules above), only a steady
   * step or the flat net below does.
   */
  readonly provenReadings: number;
  /**
   * The latest this many readings on a mature line replace the latency when their median lies more
   * than `followDownMinMs` below it, beyond its noise, and they are steady (robust standard
   * deviation at most `followDownMaxSpreadMs`) over at least `followDownMinSpanMs` (ms). Gaps
   * within the tolerance are the fine offset's (output-fine-latency.ts): following them too reset
   * the proof every 2–3 s in bench:sync, and an unproven latency followed a glitch 11 ms up.
   */
  readonly followDownReadings: number;
  readonly followDownMinMs: Milliseconds;
  readonly followDownMaxSpreadMs: Milliseconds;
  readonly followDownMinSpanMs: Milliseconds;
  /**
   * A reading that lies this far above the latency while the render line's step is pending says
   * the output moved with it: the step is taken as soon as it is flat, as after a counted underrun
   * (bench:sync: a system-wide glitch moved every speaker's output 50–60 ms, no underrun counted,
   * and the line took 1.5 s to restart), ms.
   */
  readonly bigStepReadingMs: Milliseconds;
  /**
   * Readings of the latest `settleWindowMs` that span `settleMinSpanMs` and trend faster than
   * `maxSettlingMsPerSec` (beyond one standard error of the slope) are still settling: no voice
   * starts, and they do not replace the latency finely (ms, ms, ms per s).
   */
  readonly settleWindowMs: Milliseconds;
  readonly settleMinSpanMs: Milliseconds;
  readonly maxSettlingMsPerSec: number;
  /** The latest `grossReadings`, judged however young the line, lying this far below the latency contradict it, ms (a voice does not start). */
  readonly contradictMs: Milliseconds;
  /** Readings rejected at least this long, yet flat, replace the latency, ms… */
  readonly steadyWindowMs: Milliseconds;
  /** …judged over at most the latest this long (noisy readings need longer to look flat), ms… */
  readonly maxSteadyWindowMs: Milliseconds;
  /**
   * …if their least-squares slope is below this with 95 % confidence, ms per s: the ramp bug's
   * slowest ramp (measured ≥ 0.03 ms/s).
   */
  readonly maxSteadySlopeMsPerSec: number;
  /**
   * The flat net moves the latency down only by more than this, ms: less is the fine offset's to
   * follow (it reaches 3 ms down; output-fine-latency.ts). In a 10-minute bench:sync a late join
   * dipped every speaker's readings ~1.1 ms for 25 s; the net moved one speaker's latency down
   * 1.13 ms, the readings came back, and its fine offset, then capped 0.25 ms up, left it 0.4–0.5 ms off
   * the others for 80 s. Later runs dipped every speaker's readings 1.4–1.75 ms after the press:
   * the net (then from 1.5 ms) moved some latencies and not others.
   */
  readonly flatMinDownMs: Milliseconds;
  /** A latency above the browser's outputLatency plus this (ms), or below −1 ms, is implausible… */
  readonly maxExtraLatencyMs: Milliseconds;
  /** …and this many readings in a row with it discard the baseline. */
  readonly implausibleReadings: number;
  /** 'readings': ignore the frame counter and map from the readings alone (diagnostic comparison). */
  readonly mode: 'cross-checked' | 'readings';
  /** Model floor added to the uncertainty, ms (1σ). */
  readonly floorMs: Milliseconds;
  /**
   * `ready` needs the render line to be this old (audio time since its first report), and to span
   * this much from its lowest point so far, unless it is already sure within `readyLineSdMs` (1σ), ms.
   */
  readonly minRenderSpanMs: Milliseconds;
  readonly readyLineSdMs: Milliseconds;
  /**
   * The second rule counts once the newest bucket spans this much, ms: its minimum is biased late
   * by the callback phases it has not seen yet (at the first report of a bucket, by up to a
   * quantum, 2.9 ms; after 300 ms, by at most 0.27 ms: see RenderLineOptions.firstBucketMs).
   */
  readonly readyBucketSpanMs: Milliseconds;
  /**
   * A younger line that spans this much (ms) after a restart that kept the latency maps already,
   * with `youngLineSdMs` added to its uncertainty: enough for a gross re-schedule, not for the
   * fine drift policy (a partial phase cycle biases the envelope late by up to a quantum)…
   */
  readonly youngLineSpanMs: Milliseconds;
  /** …1σ, ms. */
  readonly youngLineSdMs: Milliseconds;
}

/** Defaults (sampleRateHz must be given). */
export const DEFAULT_OUTPUT_TIMING_OPTIONS: Omit<OutputTimingOptions, 'sampleRateHz'> = {
  render: {}, fine: {}, baselineReadings: 16, minBaselineReadings: 4, toleranceMs: 1, stepMinMs: 2, stepConfirmReadings: 6, slowStepConfirmReadings: 24, bigDownStepMs: 6,
  maxAgeMs: 1_000, fallbackAfterReadings: 20, floorMs: 0.05, minRenderSpanMs: 1_000, readyLineSdMs: 0.3, readyBucketSpanMs: 300, youngLineSpanMs: 200, youngLineSdMs: 3,
  steadyWindowMs: 10_000, maxSteadyWindowMs: 30_000, maxSteadySlopeMsPerSec: 0.03, flatMinDownMs: 3, maxExtraLatencyMs: 250, implausibleReadings: 8, followReadings: 16,
  maxRampMsPerSec: 0.2, grossReadings: 4, grossMs: 5, contradictMs: 10, provenReadings: 40,
  followDownReadings: 8, followDownMinMs: 1, followDownMaxSpreadMs: 0.5, followDownMinSpanMs: 1_500, bigStepReadingMs: 15, settleWindowMs: 3_000, settleMinSpanMs: 1_500, maxSettlingMsPerSec: 1,
  mode: 'cross-checked',
};

/** A change of the latency in use (diagnostics): when (ms), by which rule, from and to (ms; null: none). */
export interface LatencyChange {
  readonly atMs: Milliseconds;
  readonly rule: LatencyRule | 'implausible' | 'fine';
  readonly fromMs: Milliseconds;
  readonly toMs: Milliseconds | null;
}

/** Diagnostics counters and state. */
export interface OutputTimingDiagnostics {
  readonly mode: 'render' | 'readings-only' | 'waiting';
  /** A reading taken since the latency was last set agrees with it (a late joiner waits for this). */
  readonly confirmed: boolean;
  /** The latest readings lie well below the latency in use (no start meanwhile). */
  readonly contradicted: boolean;
  readonly latencyMs: Milliseconds | null;
  readonly latencyFrozen: boolean;
  /** Enough readings agreed with the latency for disagreeing ones not to replace it at once. */
  readonly latencyProven: boolean;
  /** Offset of the agreeing readings followed on top of latencyMs, ms (heard latency = latencyMs + this). */
  readonly fineLatencyMs: Milliseconds;
  /** The latest changes of latencyMs by the rules, oldest first. */
  readonly latencyChanges: readonly LatencyChange[];
  /** The readings still trend up or down: no start, no fine latency change. */
  readonly settling: boolean;
  /** Slope of the latest readings' implied latency, ms per s (null while too few). */
  readonly readingTrendMsPerSec: number | null;
  readonly uncertaintyMs: Milliseconds;
  readonly renderRatePpm: number;
  /** 1σ of renderRatePpm, ppm (null without a fit). */
  readonly renderRateSdPpm: number | null;
  readonly renderReports: number;
  readonly renderRestarts: number;
  /** Witnessed steps of the output the render line was shifted by (RenderClock.witnessStep). */
  readonly renderShifts: number;
  /** Young lines dropped as built on a start-up backlog of late reports (not restarts). */
  readonly renderReseeds: number;
  /** Learned rate priors a new render line's own buckets contradicted (dropped for the wide first prior). */
  readonly renderPriorDrops: number;
  /** Audio time the current render line spans (what `minRenderSpanMs` asks of it), ms. */
  readonly renderSpanMs: Milliseconds;
  readonly renderBuckets: number;
  readonly readings: Readonly<Record<OutputReadingVerdict, number>>;
  /** Baselines discarded because their latency was implausible. */
  readonly baselineResets: number;
  readonly lastImpliedLatencyMs: Milliseconds | null;
  readonly browserOutputLatencyMs: Milliseconds | null;
}
