/**
 * When is a context frame *heard*? Cross-checks the browser's getOutputTimestamp() readings
 * against the frames actually rendered ({@link RenderClock}): in some Chromium processes
 * outputLatency and getOutputTimestamp() ramp upward while the real output stays put, so only
 * the render clock is trusted for time, and the readings only give the latency on top of it.
 *
 * heard(frame) = renderEnvelope(frame) + latency, where latency is the median implied latency
 * (performanceTime − renderEnvelope(contextTime)) of the first good readings. Later readings are
 * accepted when within `toleranceMs` of it and rejected otherwise; a slow ramp is never followed.
 * A sudden, then steady, step of the readings (a new output route) moves the latency by the step.
 * When most of the last `followReadings` readings disagree with the latency in use, they become
 * the baseline at once, however noisy they are, if the ramp bug cannot explain them: it only ever
 * makes readings late, and slowly. So readings implying a LOWER latency are always followed, and
 * readings implying a higher one while their lead exceeds `maxRampMsPerSec` times the age of the
 * latency in use. (Seen: baselines taken while the render clock was still wrong at start-up, 25 ms
 * too low or 90 ms too high, then held for minutes because noisy readings were never flat enough
 * for the safety net below.)
 * Safety net: readings that have all been rejected for `steadyWindowMs` while staying flat (within
 * the tolerance and with |slope| ≤ `maxSteadySlopeMsPerSec`, so not a ramp) replace the latency —
 * a baseline taken while the render clock was still wrong (e.g. a page busy at start-up) cannot
 * hold forever. And a latency that is physically implausible (negative, or far above what the
 * browser reports) for `implausibleReadings` readings in a row discards the baseline: a fresh one
 * is taken. Pure: inputs carry their own timestamps.
 */
import { median } from './median.js';
import { AudioClockMap } from './audio-clock-map.js';
import { FlatRejections } from './output-flat-rejections.js';
import { RenderClock, type RenderClockOptions, type RenderFrameReport } from './output-render-clock.js';
import type { Milliseconds, Seconds } from './units.js';

export type { RenderFrameReport } from './output-render-clock.js';

/** One AudioContext.getOutputTimestamp() result (plus outputLatency), and when it was read. */
export interface OutputReading {
  /** Context time of the frame being heard, s. */
  readonly contextTimeSec: Seconds;
  /** performance.now() at which that frame is heard, ms. */
  readonly performanceTimeMs: Milliseconds;
  /** performance.now() when read, ms. */
  readonly readAtMs: Milliseconds;
  /** AudioContext.outputLatency at the time, s (diagnostics only). */
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
  /** Confirmed a step of the latency: the latency moved by it. */
  Rebaselined: 'rebaselined',
} as const;
export type OutputReadingVerdict = (typeof OutputReadingVerdict)[keyof typeof OutputReadingVerdict];

/** Tuning of {@link OutputTiming}. */
export interface OutputTimingOptions {
  readonly sampleRateHz: number;
  readonly render: Partial<Omit<RenderClockOptions, 'sampleRateHz'>>;
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
  /** Readings rejected this long, yet flat, replace the latency, ms… */
  readonly steadyWindowMs: Milliseconds;
  /** …if their least-squares slope is at most this, ms per s (the ramp bug is ≥ 0.03 ms/s). */
  readonly maxSteadySlopeMsPerSec: number;
  /** A latency above the browser's outputLatency plus this (ms), or below −1 ms, is implausible… */
  readonly maxExtraLatencyMs: Milliseconds;
  /** …and this many readings in a row with it discard the baseline. */
  readonly implausibleReadings: number;
  /** 'readings': ignore the frame counter and map from the readings alone (diagnostic comparison). */
  readonly mode: 'cross-checked' | 'readings';
  /** Model floor added to the uncertainty, ms (1σ). */
  readonly floorMs: Milliseconds;
  /** `ready` needs the render clock to span this much audio time since its last restart, ms. */
  readonly minRenderSpanMs: Milliseconds;
}

/** Defaults (sampleRateHz must be given). */
export const DEFAULT_OUTPUT_TIMING_OPTIONS: Omit<OutputTimingOptions, 'sampleRateHz'> = {
  render: {}, baselineReadings: 16, minBaselineReadings: 4, toleranceMs: 1, stepMinMs: 3, stepConfirmReadings: 6,
  maxAgeMs: 1_000, fallbackAfterReadings: 20, floorMs: 0.05, minRenderSpanMs: 1_000,
  steadyWindowMs: 10_000, maxSteadySlopeMsPerSec: 0.01, maxExtraLatencyMs: 250, implausibleReadings: 8, followReadings: 16,
  maxRampMsPerSec: 0.2,
  mode: 'cross-checked',
};

/** Uncertainty assumed when only the readings are used (no frame counter), ms. */
const FALLBACK_UNCERTAINTY_MS = 2;

/** Diagnostics counters and state. */
export interface OutputTimingDiagnostics {
  readonly mode: 'render' | 'readings-only' | 'waiting';
  readonly latencyMs: Milliseconds | null;
  readonly latencyFrozen: boolean;
  readonly uncertaintyMs: Milliseconds;
  readonly renderRatePpm: number;
  readonly renderReports: number;
  readonly renderRestarts: number;
  readonly renderBuckets: number;
  readonly readings: Readonly<Record<OutputReadingVerdict, number>>;
  /** Baselines discarded because their latency was implausible. */
  readonly baselineResets: number;
  readonly lastImpliedLatencyMs: Milliseconds | null;
  readonly browserOutputLatencyMs: Milliseconds | null;
}

interface Anchor {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
}

/** Output timing of one AudioContext. See the module comment. */
export class OutputTiming {
  private readonly o: OutputTimingOptions;
  private readonly render: RenderClock;
  private readonly fallback = new AudioClockMap();
  private anchors: Anchor[] = [];
  /** Latency from the anchors (median against the current line) while they are in the render window. */
  private anchorLatency: { version: number; restarts: number; ms: Milliseconds; sdMs: Milliseconds } | null = null;
  private anchorsLive = true;
  private adjustMs = 0;
  private lastImplied: Milliseconds | null = null;
  private lastCtxMs = Number.NEGATIVE_INFINITY;
  private recentImplied: Milliseconds[] = [];
  private run: { preLevel: Milliseconds; values: Milliseconds[] } | null = null;
  /** When (readAtMs) the latency in use was last set. */
  private latencySinceMs = Number.NaN;
  /** The latest readings on the current render line (for following them). */
  private recent: (Anchor & { implied: Milliseconds })[] = [];
  private readonly flatRejections: FlatRejections;
  private validReadings = 0;
  private browserLatencyMs: Milliseconds | null = null;
  private readonly counts: Record<OutputReadingVerdict, number> = { baseline: 0, accepted: 0, rejected: 0, stale: 0, rebaselined: 0 };
  private implausibleRun = 0;
  private baselineResets = 0;

  constructor(options: Partial<OutputTimingOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_OUTPUT_TIMING_OPTIONS, ...options };
    this.render = new RenderClock({ ...this.o.render, sampleRateHz: this.o.sampleRateHz });
    this.flatRejections = new FlatRejections({
      windowMs: this.o.steadyWindowMs, toleranceMs: this.o.toleranceMs, maxSlopeMsPerSec: this.o.maxSteadySlopeMsPerSec,
    });
  }

  /** A frame counter report. */
  addFrames(report: RenderFrameReport): void {
    const restarts = this.render.counters.restarts;
    this.anchorState();
    this.render.add(report);
    if (this.render.counters.restarts !== restarts) this.onRenderRestart();
  }

  /** An output timestamp reading; returns what was done with it. */
  addReading(r: OutputReading): OutputReadingVerdict {
    const ctxMs = r.contextTimeSec * 1000;
    const valid = Number.isFinite(ctxMs) && Number.isFinite(r.performanceTimeMs) && ctxMs > 0 && r.performanceTimeMs > 0;
    if (!valid || r.readAtMs - r.performanceTimeMs > this.o.maxAgeMs || ctxMs <= this.lastCtxMs) return this.count('stale');
    this.lastCtxMs = ctxMs;
    this.validReadings++;
    if (r.outputLatencySec !== undefined && Number.isFinite(r.outputLatencySec)) this.browserLatencyMs = r.outputLatencySec * 1000;
    this.fallback.addReading({ contextTimeSec: r.contextTimeSec, performanceTimeMs: r.performanceTimeMs, readAtMs: r.readAtMs });
    if (!this.render.ready) return this.count('stale');
    const implied = r.performanceTimeMs - this.render.timeToPerfMs(ctxMs);
    const previous = this.lastImplied;
    this.lastImplied = implied;
    this.recentImplied = [...this.recentImplied, implied].slice(-this.o.stepConfirmReadings);
    this.recent = [...this.recent, { ctxMs, perfMs: r.performanceTimeMs, implied }].slice(-this.o.followReadings);
    this.checkPlausible();
    if (this.anchors.length < this.o.baselineReadings && this.anchorsLive) {
      // Start-up readings can be garbage (seen: −300 ms): never let one into the baseline.
      if (!this.plausible(implied)) return this.count('rejected');
      this.anchors.push({ ctxMs, perfMs: r.performanceTimeMs });
      this.latencySinceMs = r.readAtMs;
      return this.count('baseline');
    }
    const latency = this.latencyMs;
    if (Math.abs(implied - latency) <= this.o.toleranceMs) {
      this.run = null;
      this.flatRejections.reset();
      return this.count('accepted');
    }
    if (this.followReadings(latency, r.readAtMs)) return this.count('rebaselined');
    const verdict = this.trackStep(implied, previous);
    if (verdict === 'rebaselined') {
      this.resetRuns();
      this.latencySinceMs = r.readAtMs;
      return this.count(verdict);
    }
    const agreed = this.flatRejections.add(r.readAtMs, implied);
    if (agreed === null) return this.count(verdict);
    this.adjustMs += agreed - this.latencyMs;
    this.resetRuns();
    this.latencySinceMs = r.readAtMs;
    return this.count('rebaselined');
  }

  /** Enough to map context time to heard time. */
  get ready(): boolean {
    if (this.readingsOnly) return this.fallback.ready;
    return this.render.ready && this.render.spanMs >= this.o.minRenderSpanMs && this.anchors.length >= this.o.minBaselineReadings;
  }

  /** Latency in use: heard time − render envelope, ms (NaN before any baseline reading). */
  get latencyMs(): Milliseconds {
    const base = this.anchorState();
    return base === null ? Number.NaN : base.ms + this.adjustMs;
  }

  /** 1σ of {@link contextToPerfMs} now, ms (Infinity while not ready). */
  get uncertaintyMs(): Milliseconds {
    if (!this.ready) return Number.POSITIVE_INFINITY;
    if (this.readingsOnly) return FALLBACK_UNCERTAINTY_MS;
    const base = this.anchorState();
    const lineSd = this.render.sdAtMs(this.render.newestFrameMs);
    return Math.sqrt(lineSd ** 2 + (base?.sdMs ?? 0) ** 2 + this.o.floorMs ** 2);
  }

  /** Performance time (ms) at which the frame at context time `ctxSec` is heard; NaN while unknown. */
  contextToPerfMs(ctxSec: Seconds): Milliseconds {
    if (this.readingsOnly) return this.fallback.contextToPerfMs(ctxSec);
    return this.render.timeToPerfMs(ctxSec * 1000) + this.latencyMs;
  }

  /** Context time (s) heard at performance time `perfMs`: inverse of {@link contextToPerfMs}. */
  perfMsToContextSec(perfMs: Milliseconds): Seconds {
    if (this.readingsOnly) return this.fallback.perfMsToContext(perfMs);
    return this.render.perfMsToTime(perfMs - this.latencyMs) / 1000;
  }

  /** Counters and state for diagnostics. */
  diagnostics(): OutputTimingDiagnostics {
    const c = this.render.counters;
    const latency = this.latencyMs;
    return {
      mode: this.readingsOnly ? 'readings-only' : this.ready ? 'render' : 'waiting',
      latencyMs: Number.isFinite(latency) ? latency : null,
      latencyFrozen: !this.anchorsLive,
      uncertaintyMs: this.uncertaintyMs,
      renderRatePpm: this.render.ratePpm,
      renderReports: c.reports,
      renderRestarts: c.restarts,
      renderBuckets: c.buckets,
      readings: { ...this.counts },
      baselineResets: this.baselineResets,
      lastImpliedLatencyMs: this.lastImplied,
      browserOutputLatencyMs: this.browserLatencyMs,
    };
  }

  private get readingsOnly(): boolean {
    if (this.o.mode === 'readings') return true;
    return this.render.counters.reports === 0 && this.validReadings >= this.o.fallbackAfterReadings;
  }

  private count(verdict: OutputReadingVerdict): OutputReadingVerdict {
    this.counts[verdict]++;
    return verdict;
  }

  /**
   * Whether the recent readings say the latency is wrong in a way the ramp bug cannot explain
   * (see the module comment); if so they become the baseline (live anchors: re-evaluated as the
   * render line improves).
   */
  private followReadings(latency: Milliseconds, nowMs: Milliseconds): boolean {
    const o = this.o;
    if (this.recent.length < o.followReadings) return false;
    const implied = this.recent.map((a) => a.implied);
    const gap = median(implied) - latency;
    const beyond = implied.filter((v) => Math.sign(gap) * (v - latency) > o.toleranceMs).length;
    if (Math.abs(gap) <= 2 * o.toleranceMs || beyond < 0.75 * implied.length) return false;
    const ageSec = (nowMs - this.latencySinceMs) / 1000;
    if (gap > 0 && !(gap > o.maxRampMsPerSec * ageSec)) return false;
    this.anchors = this.recent.map(({ ctxMs, perfMs }) => ({ ctxMs, perfMs }));
    this.anchorLatency = null;
    this.anchorsLive = true;
    this.adjustMs = 0;
    this.latencySinceMs = nowMs;
    this.resetRuns();
    return true;
  }

  private resetRuns(): void {
    this.run = null;
    this.recent = [];
    this.flatRejections.reset();
  }

  /** A rejected reading: start, extend or confirm a step (a jump, then steady readings). */
  private trackStep(implied: Milliseconds, previous: Milliseconds | null): OutputReadingVerdict {
    const o = this.o;
    const jumped = previous !== null && Math.abs(implied - previous) >= o.stepMinMs;
    const run = this.run;
    if (run !== null && Math.abs(implied - median(run.values)) <= o.toleranceMs) {
      run.values.push(implied);
    } else if (jumped) {
      this.run = { preLevel: previous, values: [implied] };
    } else {
      this.run = null;
    }
    const current = this.run;
    if (current === null || current.values.length < o.stepConfirmReadings) return 'rejected';
    this.adjustMs += median(current.values) - current.preLevel;
    this.run = null;
    return 'rebaselined';
  }

  /** Latency from the anchors, recomputed against the current line while they are in its window. */
  private anchorState(): { ms: Milliseconds; sdMs: Milliseconds } | null {
    if (this.anchors.length === 0) return null;
    const restarts = this.render.counters.restarts;
    const cached = this.anchorLatency;
    if (!this.anchorsLive || (cached !== null && cached.version === this.render.version && cached.restarts === restarts)) {
      return cached;
    }
    const windowMs = this.o.render.windowMs ?? 60_000;
    const oldest = this.anchors[0]?.ctxMs ?? 0;
    if (cached !== null && this.render.newestFrameMs - oldest > 0.8 * windowMs) {
      this.anchorsLive = false;
      return cached;
    }
    const values = this.anchors.map((a) => a.perfMs - this.render.timeToPerfMs(a.ctxMs));
    const mid = median(values);
    const spread = 1.4826 * median(values.map((v) => Math.abs(v - mid)));
    this.anchorLatency = { version: this.render.version, restarts, ms: mid, sdMs: (1.25 * spread) / Math.sqrt(values.length) };
    return this.anchorLatency;
  }

  /** Whether a latency (ms) is physically possible: not negative, not far above the browser's. */
  private plausible(latencyMs: Milliseconds): boolean {
    return latencyMs >= -1 && latencyMs <= Math.max(0, this.browserLatencyMs ?? 0) + this.o.maxExtraLatencyMs;
  }

  /** Count readings made while the latency in use is implausible; discard the baseline after enough. */
  private checkPlausible(): void {
    const latency = this.latencyMs;
    if (!Number.isFinite(latency)) return;
    if (this.plausible(latency)) {
      this.implausibleRun = 0;
      return;
    }
    if (++this.implausibleRun < this.o.implausibleReadings) return;
    this.implausibleRun = 0;
    this.baselineResets++;
    this.anchors = [];
    this.anchorLatency = null;
    this.anchorsLive = true;
    this.adjustMs = 0;
    this.resetRuns();
  }

  /** The line restarted: anchors no longer lie on it. Keep their latency, or start over if too few. */
  private onRenderRestart(): void {
    this.recent = [];
    if (this.anchorLatency !== null && this.anchors.length >= this.o.minBaselineReadings) {
      this.anchorsLive = false;
      return;
    }
    this.anchors = [];
    this.anchorLatency = null;
  }
}
