/**
 * When is a context frame *heard*? Cross-checks the browser's getOutputTimestamp() readings
 * against the frames actually rendered ({@link RenderClock}): in some Chromium processes
 * outputLatency and getOutputTimestamp() ramp upward while the real output stays put, so only
 * the render clock is trusted for time, and the readings only give the latency on top of it.
 *
 * heard(frame) = renderEnvelope(frame) + latency + fine offset. The latency is the median implied
 * latency (performanceTime − renderEnvelope(contextTime)) of the first good readings; later
 * readings within `toleranceMs` of it are accepted, others rejected, and {@link LatencyJudge}'s
 * rules decide when disagreeing readings replace or move it (a step to a new route, start-up
 * garbage, a long flat disagreement; never a slow ramp, nor a glitch's transient on a proven
 * latency). The fine offset follows the readings near it slowly ({@link FineLatency}). No voice
 * starts while the readings still trend ({@link ReadingTrend}), as for 12–20 s after a glitch. A
 * latency that is physically implausible (negative, or far above what the browser reports) for
 * `implausibleReadings` readings in a row is discarded: a fresh baseline is taken. Pure: inputs
 * carry their own timestamps.
 */
import { AudioClockMap } from './audio-clock-map.js';
import { FineLatency, DEFAULT_FINE_LATENCY_OPTIONS } from './output-fine-latency.js';
import { LatencyJudge } from './output-latency-judge.js';
import { RenderClock, type RenderFrameReport } from './output-render-clock.js';
import { LatencyContradiction } from './output-contradiction.js';
import { LatencyBaseline, type Anchor } from './output-latency-baseline.js';
import { LatencyPlausibility } from './output-plausibility.js';
import { ReadingTrend } from './output-reading-trend.js';
import { DEFAULT_OUTPUT_TIMING_OPTIONS, type LatencyChange, type OutputReading, type OutputReadingVerdict, type OutputTimingDiagnostics, type OutputTimingOptions } from './output-timing-options.js';
import type { Milliseconds, Seconds } from './units.js';

export type { RenderFrameReport } from './output-render-clock.js';
export { DEFAULT_OUTPUT_TIMING_OPTIONS, OutputReadingVerdict, type OutputReading, type OutputTimingDiagnostics, type OutputTimingOptions } from './output-timing-options.js';

/** Latency changes kept for diagnostics. */
const MAX_CHANGES_KEPT = 8;

/** Uncertainty assumed when only the readings are used (no frame counter), ms. */
const FALLBACK_UNCERTAINTY_MS = 2;

/** Output timing of one AudioContext. See the module comment. */
export class OutputTiming {
  private readonly o: OutputTimingOptions;
  private readonly render: RenderClock;
  private readonly fallback = new AudioClockMap();
  private readonly baseline: LatencyBaseline;
  private readonly plausibility: LatencyPlausibility;
  private lastImplied: Milliseconds | null = null;
  /**
   * Implied latency of the latest reading ruled on, not one read while the line was moving: a step
   * is measured from it (bench:sync: a 4.7 ms drop at the press, measured from a reading already
   * low, went unseen, and the speaker played 4–8 ms off for 23 s).
   */
  private lastRuledMs: Milliseconds | null = null;
  private lastCtxMs = Number.NEGATIVE_INFINITY;
  private readonly judge: LatencyJudge;
  private validReadings = 0;
  private readonly counts: Record<OutputReadingVerdict, number> = { baseline: 0, accepted: 0, rejected: 0, stale: 0, rebaselined: 0 };
  private underrunEvents: number | null = null;
  /** Implied latency of the latest reading the current line could judge (null since a restart). */
  private lastJudgedMs: Milliseconds | null = null;
  private readonly contradiction: LatencyContradiction;
  private readonly trend: ReadingTrend;
  private readonly fine: FineLatency;
  private changes: LatencyChange[] = [];

  constructor(options: Partial<OutputTimingOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_OUTPUT_TIMING_OPTIONS, ...options };
    this.render = new RenderClock({ ...this.o.render, sampleRateHz: this.o.sampleRateHz });
    this.baseline = new LatencyBaseline(this.render, this.o.render.windowMs ?? 60_000);
    this.plausibility = new LatencyPlausibility(this.o.maxExtraLatencyMs, this.o.implausibleReadings);
    this.judge = new LatencyJudge(this.o);
    this.contradiction = new LatencyContradiction({ readings: this.o.grossReadings, contradictMs: this.o.contradictMs });
    this.trend = new ReadingTrend({ windowMs: this.o.settleWindowMs, minSpanMs: this.o.settleMinSpanMs, maxMsPerSec: this.o.maxSettlingMsPerSec });
    this.fine = new FineLatency({ ...DEFAULT_FINE_LATENCY_OPTIONS, ...this.o.fine });
  }

  /** A frame counter report. */
  addFrames(report: RenderFrameReport): void {
    const restarts = this.render.counters.restarts;
    this.baseline.state();
    this.render.add(report);
    if (this.render.counters.restarts !== restarts) this.onRenderRestart();
  }

  /**
   * The browser's underrun count (AudioContext.playbackStats.underrunEvents) read at `atPerfMs`.
   * Once given, a big step of the render line is only taken at once near a counted underrun.
   */
  addUnderrunCount(events: number, atPerfMs: Milliseconds): void {
    if (!Number.isFinite(events) || !Number.isFinite(atPerfMs)) return;
    this.render.expectHints();
    if (this.underrunEvents !== null && events > this.underrunEvents) this.render.hintDiscontinuity(atPerfMs);
    this.underrunEvents = events;
  }

  /** The context resumed (after a suspend or an interruption) at `atPerfMs`: its output may have moved. */
  noteResumed(atPerfMs: Milliseconds): void {
    this.render.hintDiscontinuity(atPerfMs);
  }

  /** An output timestamp reading; returns what was done with it. */
  addReading(r: OutputReading): OutputReadingVerdict {
    const ctxMs = r.contextTimeSec * 1000;
    const valid = Number.isFinite(ctxMs) && Number.isFinite(r.performanceTimeMs) && ctxMs > 0 && r.performanceTimeMs > 0;
    if (!valid || r.readAtMs - r.performanceTimeMs > this.o.maxAgeMs || ctxMs <= this.lastCtxMs) return this.count('stale');
    this.lastCtxMs = ctxMs;
    this.validReadings++;
    this.plausibility.noteBrowserLatency(r.outputLatencySec);
    this.fallback.addReading({ contextTimeSec: r.contextTimeSec, performanceTimeMs: r.performanceTimeMs, readAtMs: r.readAtMs });
    if (!this.render.ready) return this.count('stale');
    const implied = r.performanceTimeMs - this.render.timeToPerfMs(ctxMs);
    this.lastImplied = implied;
    const plausible = this.plausibility.plausible(implied);
    if (plausible && this.lineSees(ctxMs)) {
      this.contradiction.add(implied);
      this.trend.add(r.readAtMs, implied);
      if (this.render.spanMs >= this.o.minRenderSpanMs) {
        this.lastJudgedMs = implied;
        this.judge.noteMature({ ctxMs, perfMs: r.performanceTimeMs, impliedMs: implied });
      } else if (this.continuesLatency) {
        this.lastJudgedMs = implied;
      }
    }
    if (this.plausibility.discards(this.latencyMs)) {
      this.noteChange(r.readAtMs, 'implausible', this.latencyMs);
      this.rebaseline([], Number.NaN);
    }
    if (this.render.stepPending && plausible && implied - this.latencyMs >= this.o.bigStepReadingMs) this.render.hintDiscontinuity(r.readAtMs);
    // Judged against a line that may be moving (an underrun being confirmed), a reading says nothing
    // about the latency: the latency step rule took an 8 ms underrun for a new output route, and the
    // restarted line then counted it again (+8 ms for 1.3 s in simulation; +100 for a 100 ms one).
    if (this.render.stepPending) return this.count('stale');
    if (this.baseline.size < this.o.baselineReadings && this.baseline.live) {
      // Start-up readings can be garbage (seen: −300 ms): never let one into the baseline.
      if (!plausible) return this.count('rejected');
      this.baseline.add({ ctxMs, perfMs: r.performanceTimeMs });
      this.judge.baselineReading(r.readAtMs);
      this.fine.latencySet();
      return this.count('baseline');
    }
    const reading = { ctxMs, perfMs: r.performanceTimeMs, impliedMs: implied, readAtMs: r.readAtMs, previousMs: this.lastRuledMs };
    this.lastRuledMs = implied;
    const mature = this.render.spanMs >= this.o.minRenderSpanMs;
    const latencyMs = this.latencyMs;
    const ruling = this.judge.rule(reading, latencyMs, { mature, settling: this.settling });
    switch (ruling.kind) {
      case 'accepted':
      case 'rejected':
        if (mature && plausible && !this.settling) this.fine.add(reading, latencyMs, this.impliedOf);
        return this.count(ruling.kind);
      case 'replace':
        this.rebaseline([...ruling.anchors], r.readAtMs);
        this.noteChange(r.readAtMs, ruling.rule, latencyMs);
        return this.count('rebaselined');
      case 'move':
        this.baseline.adjust(ruling.deltaMs);
        this.judge.latencySet(r.readAtMs);
        this.fine.latencySet();
        this.noteChange(r.readAtMs, ruling.rule, latencyMs);
        return this.count('rebaselined');
    }
  }

  /**
   * Building a first baseline (fewer than `minBaselineReadings` on a live line): readings are
   * worth taking faster than usual, so a line becomes usable soon after it starts.
   */
  get wantsReadings(): boolean {
    return !this.readingsOnly && this.baseline.live && this.baseline.size < this.o.minBaselineReadings;
  }

  /** Enough to map context time to heard time. */
  get ready(): boolean {
    if (this.readingsOnly) return this.fallback.ready;
    return this.render.ready && this.render.spanMs >= this.o.minRenderSpanMs && this.baseline.size >= this.o.minBaselineReadings;
  }

  /**
   * Whether a voice may start now: the timing is {@link ready}, or a young line continues a
   * latency kept through its restart (mapped coarsely: see {@link uncertaintyMs}). A late joiner
   * on a page busy joining restarted its line every 1–2 s and stayed silent while no line was 1 s
   * old; within a few ms at once, the drift loop refines it as the line matures.
   */
  get startable(): boolean {
    return (this.ready || this.continuesLatency) && !this.settling;
  }

  /** Whether the latest readings still trend up or down ({@link ReadingTrend}): no start, no fine replacement. */
  get settling(): boolean {
    return !this.readingsOnly && this.trend.settling;
  }

  /**
   * Whether the latest reading the current render line could judge lies within `grossMs` of the
   * latency in use (always, with the readings alone). A late joiner's first voice waits for it: a
   * latency kept through render restarts on a busy start-up page was 68 ms off when the late joiner
   * of bench:sync started playing. False after a restart until a reading on the new line agrees;
   * a young line that maps coarsely (see {@link uncertaintyMs}) judges too (a late joiner on a page
   * busy joining restarted its line every 1–2 s and waited 5–7 s for a line 1 s old), within the
   * same bound: with its `youngLineSdMs` added, bench:sync's joiner took a baseline 7 ms low as
   * confirmed and played 7 ms early for 12 s.
   */
  get confirmed(): boolean {
    if (this.readingsOnly) return true;
    return this.lastJudgedMs !== null && Math.abs(this.lastJudgedMs - this.latencyMs) <= this.o.grossMs;
  }

  /**
   * Whether the latest readings, judged on the current render line however young, lie more than
   * `contradictMs` below the latency in use: the latency is about to be replaced, and no voice
   * should start on it ({@link LatencyContradiction}).
   */
  get contradicted(): boolean {
    return !this.readingsOnly && this.contradiction.contradicts(this.latencyMs);
  }

  /**
   * Whether `provenReadings` readings judged on a mature line agreed with the latency in use since
   * it was set: then only a steady step or a long flat run of rejections moves it.
   */
  get proven(): boolean {
    return this.judge.proven;
  }

  /** Latency in use: heard time − render envelope, ms (NaN before any baseline reading). */
  get latencyMs(): Milliseconds {
    return this.baseline.latencyMs;
  }

  /**
   * Latency the mapping adds: the rules' {@link latencyMs} plus the slowly followed offset of the
   * readings that agree with it ({@link FineLatency}), ms.
   */
  get heardLatencyMs(): Milliseconds {
    return this.latencyMs + this.fine.offsetMs;
  }

  /**
   * 1σ of {@link contextToPerfMs} now, ms. The latest readings lying more than `toleranceMs` below
   * the latency add their gap: the latency is in dispute (bench:sync's render lines moved ~5 ms
   * later at the press while the output stayed put, and the speakers re-scheduled 3 ms wrong on the
   * kept latency before the readings replaced it). Infinity while not ready, except on a young line
   * continuing a latency kept through a restart (an underrun moved the audio): that maps at once,
   * coarsely (`youngLineSdMs`), so a speaker far off re-schedules without waiting for the line to
   * mature (bench:sync: 79–120 ms off for 1.5–2.5 s after a 453 ms underrun).
   */
  get uncertaintyMs(): Milliseconds {
    if (this.readingsOnly) return this.ready ? FALLBACK_UNCERTAINTY_MS : Number.POSITIVE_INFINITY;
    let youthSd = 0;
    if (!this.ready) {
      if (!this.continuesLatency) return Number.POSITIVE_INFINITY;
      youthSd = this.o.youngLineSdMs;
    }
    const base = this.baseline.state();
    const lineSd = this.render.sdAtMs(this.render.newestFrameMs);
    const gapBelowMs = this.contradiction.gapBelowMs(this.latencyMs);
    const disputeSd = gapBelowMs > this.o.toleranceMs ? gapBelowMs : 0;
    return Math.sqrt(lineSd ** 2 + (base?.sdMs ?? 0) ** 2 + this.o.floorMs ** 2 + youthSd ** 2 + disputeSd ** 2);
  }

  /** Implied latency of a reading against the current render line, ms. */
  private readonly impliedOf = (ctxMs: Milliseconds, perfMs: Milliseconds): Milliseconds => perfMs - this.render.timeToPerfMs(ctxMs);

  /** A line at least youngLineSpanMs old carries a latency kept through its restart. */
  private get continuesLatency(): boolean {
    return this.render.ready && this.render.ageMs >= this.o.youngLineSpanMs && !this.baseline.live
      && this.baseline.size >= this.o.minBaselineReadings && Number.isFinite(this.latencyMs);
  }

  /**
   * 1σ of the audio clock's rate against the performance clock as the mapping has it, ppm
   * (Infinity while not ready; the readings-only fallback does not say).
   */
  get rateSdPpm(): number {
    if (!this.ready || this.readingsOnly) return Number.POSITIVE_INFINITY;
    return this.render.rateSdPpm;
  }

  /** Performance time (ms) at which the frame at context time `ctxSec` is heard; NaN while unknown. */
  contextToPerfMs(ctxSec: Seconds): Milliseconds {
    if (this.readingsOnly) return this.fallback.contextToPerfMs(ctxSec);
    return this.render.timeToPerfMs(ctxSec * 1000) + this.heardLatencyMs;
  }

  /** Context time (s) heard at performance time `perfMs`: inverse of {@link contextToPerfMs}. */
  perfMsToContextSec(perfMs: Milliseconds): Seconds {
    if (this.readingsOnly) return this.fallback.perfMsToContext(perfMs);
    return this.render.perfMsToTime(perfMs - this.heardLatencyMs) / 1000;
  }

  /** Counters and state for diagnostics. */
  diagnostics(): OutputTimingDiagnostics {
    const c = this.render.counters;
    const latency = this.latencyMs;
    return {
      mode: this.readingsOnly ? 'readings-only' : this.ready ? 'render' : 'waiting',
      confirmed: this.confirmed,
      contradicted: this.contradicted,
      latencyMs: Number.isFinite(latency) ? latency : null,
      latencyFrozen: !this.baseline.live,
      latencyProven: this.proven,
      fineLatencyMs: this.fine.offsetMs,
      latencyChanges: this.changes,
      settling: this.settling,
      readingTrendMsPerSec: this.trend.slopeMsPerSec,
      uncertaintyMs: this.uncertaintyMs,
      renderRatePpm: this.render.ratePpm,
      renderRateSdPpm: Number.isFinite(this.render.rateSdPpm) ? this.render.rateSdPpm : null,
      renderReports: c.reports,
      renderRestarts: c.restarts,
      renderBuckets: c.buckets,
      readings: { ...this.counts },
      baselineResets: this.plausibility.discarded,
      lastImpliedLatencyMs: this.lastImplied,
      browserOutputLatencyMs: this.plausibility.browserLatencyMs,
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

  /** The latency was replaced or moved at `atMs` by `rule` (the latest few are kept for diagnostics). */
  private noteChange(atMs: Milliseconds, rule: LatencyChange['rule'], fromMs: Milliseconds): void {
    const toMs = Number.isFinite(this.latencyMs) ? this.latencyMs : null;
    this.changes = [...this.changes, { atMs, rule, fromMs, toMs }].slice(-MAX_CHANGES_KEPT);
  }

  /** New anchors (empty: a fresh baseline is taken from the next readings), set at `atMs`. */
  private rebaseline(anchors: Anchor[], atMs: Milliseconds): void {
    this.baseline.replace(anchors);
    this.judge.latencySet(atMs);
    this.fine.latencySet();
  }

  /**
   * Whether the render line can judge a reading at `ctxMs`, at least coarsely: its latest reports
   * lie on it (no discontinuity being confirmed) and it has seen that frame rendered. A fine judge
   * also spans minRenderSpanMs (a younger line can be ms off). (Readings that disagree must also be
   * plausible: after a resume they come seconds off before the line notices.)
   */
  private lineSees(ctxMs: Milliseconds): boolean {
    return !this.render.stepPending && ctxMs <= this.render.newestFrameMs;
  }

  /** The line restarted: anchors no longer lie on it. Keep their latency, or start over if too few. */
  private onRenderRestart(): void {
    this.trend.restarted();
    this.fine.lineRestarted();
    this.lastJudgedMs = null;
    this.baseline.lineRestarted(this.o.minBaselineReadings);
    this.judge.lineRestarted(this.baseline.size > 0);
  }
}
