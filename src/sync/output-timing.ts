/**
 * When is a context frame *heard*? Cross-checks the browser's getOutputTimestamp() readings
 * against the frames actually rendered ({@link RenderClock}): in some Chromium processes
 * outputLatency and getOutputTimestamp() ramp upward while the real output stays put, so only
 * the render clock is trusted for time, and the readings only give the latency on top of it
 * ({@link LatencyTracker}): heard(frame) = renderEnvelope(frame) + latency + fine offset. No voice
 * starts while the readings still trend, as for 12–20 s after a glitch. Without a frame counter
 * the readings alone map the clock. Pure: inputs carry their own timestamps.
 */
import { AudioClockMap } from './audio-clock-map.js';
import { LatencyTracker } from './output-latency-tracker.js';
import { RenderClock, type RenderFrameReport } from './output-render-clock.js';
import { DEFAULT_OUTPUT_TIMING_OPTIONS, type OutputReading, type OutputReadingVerdict, type OutputTimingDiagnostics, type OutputTimingOptions } from './output-timing-options.js';
import type { Milliseconds, Seconds } from './units.js';

export type { RenderFrameReport } from './output-render-clock.js';
export { DEFAULT_OUTPUT_TIMING_OPTIONS, OutputReadingVerdict, type OutputReading, type OutputTimingDiagnostics, type OutputTimingOptions } from './output-timing-options.js';

/** Uncertainty assumed when only the readings are used (no frame counter), ms. */
const FALLBACK_UNCERTAINTY_MS = 2;

/** Deferred readings kept at most (the oldest go first). */
const MAX_DEFERRED = 8;

/** A reading waiting for the frame it is about to be reported: see {@link OutputTiming.addReading}. */
interface DeferredReading {
  readonly reading: OutputReading;
  readonly ctxMs: Milliseconds;
  /** The render clock's breaks when it was read: a reading from before a discontinuity is dropped. */
  readonly breaks: number;
}

/** Output timing of one audio context. See the module comment. */
export class OutputTiming {
  private readonly o: OutputTimingOptions;
  private readonly render: RenderClock;
  private readonly fallback = new AudioClockMap();
  private readonly latency: LatencyTracker;
  private lastCtxMs = Number.NEGATIVE_INFINITY;
  private validReadings = 0;
  private readonly counts: Record<OutputReadingVerdict, number> = { baseline: 0, accepted: 0, rejected: 0, stale: 0, rebaselined: 0, deferred: 0 };
  private deferred: DeferredReading[] = [];
  private underrunEvents: number | null = null;

  constructor(options: Partial<OutputTimingOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_OUTPUT_TIMING_OPTIONS, ...options };
    this.render = new RenderClock({ ...this.o.render, sampleRateHz: this.o.sampleRateHz });
    this.latency = new LatencyTracker(this.o, this.render);
  }

  /** A frame counter report; takes the deferred readings of frames reported by now. */
  addFrames(report: RenderFrameReport): void {
    this.latency.addFrames(report);
    if (this.deferred.length === 0) return;
    const breaks = this.render.breaks;
    const newestMs = this.render.newestFrameMs;
    const waiting: DeferredReading[] = [];
    const due: DeferredReading[] = [];
    for (const d of this.deferred) if (d.breaks === breaks) (d.ctxMs <= newestMs ? due : waiting).push(d);
    this.deferred = waiting;
    for (const d of due) this.count(this.latency.add(d.reading, d.ctxMs));
  }

  /**
   * The browser's underrun count (the context's playbackStats.underrunEvents) read at `atPerfMs`.
   * Once given, a big step of the render line is only taken at once near a counted underrun, and
   * each new underrun lets the fine latency follow the readings quickly for a while.
   */
  addUnderrunCount(events: number, atPerfMs: Milliseconds): void {
    if (!Number.isFinite(events) || !Number.isFinite(atPerfMs)) return;
    this.render.expectHints();
    if (this.underrunEvents !== null && events > this.underrunEvents) {
      this.render.hintDiscontinuity(atPerfMs);
      this.latency.outputDisturbed();
    }
    this.underrunEvents = events;
  }

  /** The context resumed (after a suspend or an interruption) at `atPerfMs`: its output may have moved. */
  noteResumed(atPerfMs: Milliseconds): void {
    this.render.hintDiscontinuity(atPerfMs);
  }

  /**
   * An output timestamp reading; returns what was done with it. One of a frame the render clock has
   * not seen reported yet is deferred until it has: the frame counter's reports reach a busy main
   * thread late, and a reading judged without its frame on the line does not confirm the latency
   * nor count in the checks of the readings (a late joiner's timing, ready, waited 0.5 s for a
   * reading to confirm it in bench:late-join).
   */
  addReading(r: OutputReading): OutputReadingVerdict {
    const ctxMs = r.contextTimeSec * 1000;
    const valid = Number.isFinite(ctxMs) && Number.isFinite(r.performanceTimeMs) && ctxMs > 0 && r.performanceTimeMs > 0;
    if (!valid || r.readAtMs - r.performanceTimeMs > this.o.maxAgeMs || ctxMs <= this.lastCtxMs) return this.count('stale');
    this.lastCtxMs = ctxMs;
    this.validReadings++;
    this.fallback.addReading({ contextTimeSec: r.contextTimeSec, performanceTimeMs: r.performanceTimeMs, readAtMs: r.readAtMs });
    if (!this.readingsOnly && this.render.ready && ctxMs > this.render.newestFrameMs) {
      this.deferred = [...this.deferred, { reading: r, ctxMs, breaks: this.render.breaks }].slice(-MAX_DEFERRED);
      return this.count('deferred');
    }
    return this.count(this.latency.add(r, ctxMs));
  }

  /**
   * Building a first baseline (fewer than `minBaselineReadings` on a live line): readings are
   * worth taking faster than usual, so a line becomes usable soon after it starts.
   */
  get wantsReadings(): boolean {
    return !this.readingsOnly && (this.latency.buildingBaseline || this.latency.awaitsJudgement);
  }

  /**
   * Enough to map context time to heard time: a baseline, on a line that spans `minRenderSpanMs`
   * from its lowest point so far, or is that old, has a second bucket (a rate of its own) and is
   * already sure within `readyLineSdMs`. While a joiner's first buckets kept finding lower points
   * (each moving the mapping ~0.1 ms), the span alone held it unready for 2–3 s (bench:late-join);
   * the age alone made a line 1 s after an underrun ready 0.76 ms off (±0.81 ms) in simulation, and
   * the σ of a single bucket is small only right after its lowest point (its rate is the prior's).
   */
  get ready(): boolean {
    if (this.readingsOnly) return this.fallback.ready;
    if (!this.render.ready || !this.latency.hasBaseline || this.render.ageMs < this.o.minRenderSpanMs) return false;
    // One bucket has no rate of its own (the prior's ±1000 ppm): its σ is small only near its lowest point.
    return this.latency.lineSure;
  }

  /**
   * Whether a voice may start now: the timing is {@link ready}, or a young line continues a
   * latency kept through its restart (mapped coarsely: see {@link uncertaintyMs}). A late joiner
   * on a page busy joining restarted its line every 1–2 s and stayed silent while no line was 1 s
   * old; within a few ms at once, the drift loop refines it as the line matures.
   *
   * Settling readings hold a start back only while the latency in use may have come from them:
   * not when they lie more than `grossMs` above it (a busy page's readings, high for seconds while
   * the output stays put). bench:sync's leader, its readings 64–82 ms and decaying for a
   * latency of 58 (true ~56), stayed silent 8.4 s after the press and then started 7 ms early on a
   * latency moved meanwhile.
   */
  get startable(): boolean {
    return (this.ready || this.latency.continuesLatency) && (!this.settling || this.latency.readingsHigh);
  }

  /** Whether the latest readings still trend up or down ({@link ReadingTrend}): no start, no fine replacement. */
  get settling(): boolean {
    return !this.readingsOnly && this.latency.settling;
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
    return this.readingsOnly || this.latency.confirmed;
  }

  /**
   * Whether the latest readings, judged on the current render line however young, lie more than
   * `contradictMs` below the latency in use: the latency is about to be replaced, and no voice
   * should start on it ({@link LatencyContradiction}).
   */
  get contradicted(): boolean {
    return !this.readingsOnly && this.latency.contradicted;
  }

  /**
   * Whether `provenReadings` readings judged on a mature line agreed with the latency in use since
   * it was set: then only a steady step or a long flat run of rejections moves it.
   */
  get proven(): boolean {
    return this.latency.proven;
  }

  /** Latency in use: heard time − render envelope, ms (NaN before any baseline reading). */
  get latencyMs(): Milliseconds {
    return this.latency.latencyMs;
  }

  /**
   * Latency the mapping adds: the rules' {@link latencyMs} plus the slowly followed offset of the
   * readings near it (output-fine-latency.ts), ms.
   */
  get heardLatencyMs(): Milliseconds {
    return this.latency.heardLatencyMs;
  }

  /**
   * Latency the mapping adds on top of the render line now, ms: {@link heardLatencyMs}, NaN in the
   * readings-only fallback (its mapping is the readings'). A change moves every heard time by as much.
   */
  get mappedLatencyMs(): Milliseconds {
    return this.readingsOnly ? Number.NaN : this.heardLatencyMs;
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
      if (!this.latency.continuesLatency) return Number.POSITIVE_INFINITY;
      youthSd = this.o.youngLineSdMs;
    }
    const lineSd = this.render.sdAtMs(this.render.newestFrameMs);
    return Math.sqrt(lineSd ** 2 + this.latency.sdMs ** 2 + this.o.floorMs ** 2 + youthSd ** 2);
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
    return {
      ...this.latency.diagnostics(),
      mode: this.readingsOnly ? 'readings-only' : this.ready ? 'render' : 'waiting',
      confirmed: this.confirmed,
      contradicted: this.contradicted,
      settling: this.settling,
      uncertaintyMs: this.uncertaintyMs,
      renderRatePpm: this.render.ratePpm,
      renderRateSdPpm: Number.isFinite(this.render.rateSdPpm) ? this.render.rateSdPpm : null,
      renderReports: c.reports,
      renderRestarts: c.restarts,
      renderShifts: c.shifts,
      renderReseeds: c.reseeds,
      renderPriorDrops: c.priorDrops,
      renderSpanMs: this.render.spanMs,
      renderBuckets: c.buckets,
      readings: { ...this.counts },
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
}
