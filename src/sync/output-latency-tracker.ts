/**
 * The output latency on top of the render line, from the getOutputTimestamp() readings: each
 * reading's implied latency (performanceTime − renderEnvelope(contextTime)) feeds a baseline (the
 * median of the first good readings, {@link LatencyBaseline}), {@link LatencyJudge}'s rules (a step
 * to a new route, start-up garbage, a long flat disagreement; never a slow ramp, nor a glitch's
 * transient on a proven latency), the slowly followed fine offset ({@link FineLatency}) and the
 * trend that says whether the readings still settle ({@link ReadingTrend}). A latency that is
 * physically implausible (negative, or far above what the browser reports) for
 * `implausibleReadings` readings in a row is discarded: a fresh baseline is taken. Pure.
 */
import { LatencyContradiction } from './output-contradiction.js';
import { FineLatency } from './output-fine-latency.js';
import { DEFAULT_FINE_LATENCY_OPTIONS } from './output-fine-latency-options.js';
import { LatencyBaseline, type Anchor } from './output-latency-baseline.js';
import { LatencyJudge } from './output-latency-judge.js';
import { LatencyPlausibility } from './output-plausibility.js';
import { ReadingTrend } from './output-reading-trend.js';
import type { RenderClock, RenderFrameReport } from './output-render-clock.js';
import type { LatencyChange, OutputReading, OutputReadingVerdict, OutputTimingDiagnostics, OutputTimingOptions } from './output-timing-options.js';
import type { Milliseconds } from './units.js';

/** Latency changes kept for diagnostics. */
const MAX_CHANGES_KEPT = 8;

/** The diagnostics fields the tracker fills. */
type LatencyDiagnosticsKey = 'latencyMs' | 'latencyFrozen' | 'latencyProven' | 'fineLatencyMs' | 'latencyChanges' | 'readingTrendMsPerSec' | 'baselineResets' | 'lastImpliedLatencyMs' | 'browserOutputLatencyMs';

/** A change of the latency in use: new anchors, or a move by `deltaMs`, and the rule behind it. */
type LatencyChangeRequest =
  | { readonly kind: 'replace'; readonly anchors: readonly Anchor[]; readonly rule: LatencyChange['rule'] }
  | { readonly kind: 'move'; readonly deltaMs: Milliseconds; readonly rule: LatencyChange['rule'] };

/** The latency in use and the readings' state; see the module comment. */
export class LatencyTracker {
  private readonly baseline: LatencyBaseline;
  private readonly plausibility: LatencyPlausibility;
  private readonly judge: LatencyJudge;
  private readonly contradiction: LatencyContradiction;
  private readonly trend: ReadingTrend;
  private readonly fine: FineLatency;
  private lastImplied: Milliseconds | null = null;
  /**
   * Implied latency of the latest reading ruled on, not one read while the line was moving: a step
   * is measured from it (bench:sync: a 4.7 ms drop at the press, measured from a reading already
   * low, went unseen, and the speaker played 4–8 ms off for 23 s).
   */
  private lastRuledMs: Milliseconds | null = null;
  /** Implied latency of the latest reading the current line could judge (null since a restart). */
  private lastJudgedMs: Milliseconds | null = null;
  private changes: LatencyChange[] = [];

  constructor(
    private readonly o: OutputTimingOptions,
    private readonly render: RenderClock,
  ) {
    this.baseline = new LatencyBaseline(render, o.render.windowMs ?? 60_000);
    this.plausibility = new LatencyPlausibility(o.maxExtraLatencyMs, o.implausibleReadings);
    this.judge = new LatencyJudge(o);
    this.contradiction = new LatencyContradiction({ readings: o.grossReadings, contradictMs: o.contradictMs });
    this.trend = new ReadingTrend({ windowMs: o.settleWindowMs, minSpanMs: o.settleMinSpanMs, maxMsPerSec: o.maxSettlingMsPerSec }, this.impliedOf);
    this.fine = new FineLatency({ ...DEFAULT_FINE_LATENCY_OPTIONS, ...o.fine });
  }

  /** A frame counter report for the render line; a restart or shift keeps the latency (frozen) or forgets it. */
  addFrames(report: RenderFrameReport): void {
    const breaks = this.render.breaks;
    this.baseline.state();
    this.render.add(report);
    if (this.render.breaks !== breaks) this.lineRestarted();
  }

  /** A valid, fresh reading at context time `ctxMs`, of a frame the render line has seen reported (OutputTiming defers others); returns what was done with it. */
  add(r: OutputReading, ctxMs: Milliseconds): OutputReadingVerdict {
    this.plausibility.noteBrowserLatency(r.outputLatencySec);
    if (!this.render.ready) return 'stale';
    const implied = r.performanceTimeMs - this.render.timeToPerfMs(ctxMs);
    this.lastImplied = implied;
    const plausible = this.plausibility.plausible(implied);
    const mature = this.render.spanMs >= this.o.minRenderSpanMs;
    if (plausible && this.lineSteady) {
      this.contradiction.add(implied);
      this.trend.add(r.readAtMs, { ctxMs, perfMs: r.performanceTimeMs });
      if (mature) this.judge.noteMature({ ctxMs, perfMs: r.performanceTimeMs, impliedMs: implied });
      if (this.lineSure || this.continuesLatency) this.lastJudgedMs = implied;
    }
    if (this.plausibility.discards(this.latencyMs)) this.setLatency({ kind: 'replace', anchors: [], rule: 'implausible' }, Number.NaN, r.readAtMs);
    if (this.render.stepPending && plausible) {
      if (implied - this.latencyMs >= this.o.bigStepReadingMs) this.render.hintDiscontinuity(r.readAtMs);
      this.render.witnessStep(implied - this.heardLatencyMs, r.readAtMs);
    } else if (plausible && mature && !this.settling && Number.isFinite(this.heardLatencyMs)) {
      this.render.readingDeviation(implied - this.heardLatencyMs, r.readAtMs);
    }
    // Judged against a line that may be moving (an underrun being confirmed), a reading says nothing
    // about the latency: the latency step rule took an 8 ms underrun for a new output route, and the
    // restarted line then counted it again (+8 ms for 1.3 s in simulation; +100 for a 100 ms one).
    if (this.render.stepPending) return 'stale';
    if (this.baseline.size < this.o.baselineReadings && this.baseline.live) {
      // Start-up readings can be garbage (seen: −300 ms): never let one into the baseline.
      if (!plausible) return 'rejected';
      this.baseline.add({ ctxMs, perfMs: r.performanceTimeMs });
      this.judge.baselineReading(r.readAtMs);
      this.fine.latencySet();
      return 'baseline';
    }
    const reading = { ctxMs, perfMs: r.performanceTimeMs, impliedMs: implied, readAtMs: r.readAtMs, previousMs: this.lastRuledMs };
    this.lastRuledMs = implied;
    const latencyMs = this.latencyMs;
    const settling = this.settling;
    const ruling = this.judge.rule(reading, latencyMs, { mature, settling });
    if (ruling.kind === 'accepted' || ruling.kind === 'rejected') {
      if (settling) this.fine.unsettled(reading, latencyMs, this.impliedOf);
      else if (mature && plausible) {
        this.fine.add(reading, latencyMs, this.impliedOf);
        const absorbedMs = this.fine.takeAbsorbable();
        if (absorbedMs !== 0) this.absorbFine(absorbedMs, r.readAtMs);
      }
      return ruling.kind;
    }
    this.setLatency(ruling, r.readAtMs, r.readAtMs);
    return 'rebaselined';
  }

  /** Latency in use by the rules: heard time − render envelope, ms (NaN before any baseline reading). */
  get latencyMs(): Milliseconds {
    return this.baseline.latencyMs;
  }

  /** The rules' latency plus the fine offset, ms. */
  get heardLatencyMs(): Milliseconds {
    return this.latencyMs + this.fine.offsetMs;
  }

  /** Fewer than `minBaselineReadings` anchors on a live line: a first baseline is being built. */
  get buildingBaseline(): boolean {
    return this.baseline.live && this.baseline.size < this.o.minBaselineReadings;
  }

  /**
   * The line is sure and no reading has been judged on it yet: what {@link confirmed} waits for
   * (a joiner's start). bench:late-join: joiners whose line became sure waited up to one reading
   * period (250 ms) more to start.
   */
  get awaitsJudgement(): boolean {
    return this.lastJudgedMs === null && this.lineSure;
  }

  /** At least `minBaselineReadings` anchors. */
  get hasBaseline(): boolean {
    return this.baseline.size >= this.o.minBaselineReadings;
  }

  /** A line at least youngLineSpanMs old carries a latency kept through its restart. */
  get continuesLatency(): boolean {
    return this.render.ready && this.render.ageMs >= this.o.youngLineSpanMs && !this.baseline.live && this.hasBaseline && Number.isFinite(this.latencyMs);
  }

  /** The readings still trend up or down ({@link ReadingTrend}). */
  get settling(): boolean {
    return this.trend.settling;
  }

  /**
   * The latest readings lie more than `grossMs` ABOVE the latency: disturbed high (a busy page),
   * and the latency was not taken from them.
   */
  get readingsHigh(): boolean {
    return this.contradiction.gapAboveMs(this.latencyMs) > this.o.grossMs;
  }

  /**
   * The render line maps within a fraction of a ms: it spans `minRenderSpanMs` from its lowest
   * point, or has a second bucket (a rate of its own) spanning `readyBucketSpanMs` and is sure
   * within `readyLineSdMs` at its newest frame. Such a line judges a reading well enough to
   * confirm the latency (within `grossMs`): bench:late-join's joiners, ready on the second rule,
   * waited 0.4 s more for the span before a reading confirmed their latency.
   */
  get lineSure(): boolean {
    const r = this.render;
    if (!r.ready) return false;
    if (r.spanMs >= this.o.minRenderSpanMs) return true;
    return r.buckets >= 2 && r.openBucketSpanMs >= this.o.readyBucketSpanMs && r.sdAtMs(r.newestFrameMs) <= this.o.readyLineSdMs;
  }

  /** The latest reading the current line could judge (a sure line, or one continuing the latency) lies within `grossMs` of the latency. */
  get confirmed(): boolean {
    return this.lastJudgedMs !== null && Math.abs(this.lastJudgedMs - this.latencyMs) <= this.o.grossMs;
  }

  /** The latest readings lie more than `contradictMs` below the latency ({@link LatencyContradiction}). */
  get contradicted(): boolean {
    return this.contradiction.contradicts(this.latencyMs);
  }

  /** Enough readings on a mature line agreed with the latency since it was set. */
  get proven(): boolean {
    return this.judge.proven;
  }

  /**
   * 1σ of the heard latency, ms: the anchors' spread, plus, while the latest readings lie more than
   * `toleranceMs` below the rules' latency (it is in dispute), how far they lie from the heard
   * latency, the one that maps: what the fine offset already follows is not in doubt. bench:sync,
   * on a busy machine: the readings lay ~3.3 ms below the rules' latency and the fine offset had
   * followed them to within 0.7 ms, yet their gap to the rules' latency (±3.1–3.5 ms) kept the
   * drift loop off the speaker's estimates (it ignores those over ±3 ms) for 10 s while it played
   * ~1 ms early.
   */
  get sdMs(): Milliseconds {
    const disputed = this.contradiction.gapBelowMs(this.latencyMs) > this.o.toleranceMs;
    const disputeSd = disputed ? this.contradiction.distanceMs(this.heardLatencyMs) : 0;
    return Math.hypot(this.baseline.state()?.sdMs ?? 0, disputeSd);
  }

  /** The latency's part of the output timing's diagnostics. */
  diagnostics(): Pick<OutputTimingDiagnostics, LatencyDiagnosticsKey> {
    const latency = this.latencyMs;
    return {
      latencyMs: Number.isFinite(latency) ? latency : null,
      latencyFrozen: !this.baseline.live,
      latencyProven: this.proven,
      fineLatencyMs: this.fine.offsetMs,
      latencyChanges: this.changes,
      readingTrendMsPerSec: this.trend.slopeMsPerSec,
      baselineResets: this.plausibility.discarded,
      lastImpliedLatencyMs: this.lastImplied,
      browserOutputLatencyMs: this.plausibility.browserLatencyMs,
    };
  }

  /** Implied latency of a reading against the current render line, ms. */
  private readonly impliedOf = (ctxMs: Milliseconds, perfMs: Milliseconds): Milliseconds => perfMs - this.render.timeToPerfMs(ctxMs);

  /**
   * Replace the anchors (none: a fresh baseline is taken from the next readings) or move the
   * latency, set at `setAtMs` (NaN: the fresh baseline sets it); the change is logged at `atMs`.
   */
  private setLatency(change: LatencyChangeRequest, setAtMs: Milliseconds, atMs: Milliseconds): void {
    const fromMs = this.latencyMs;
    if (change.kind === 'replace') this.baseline.replace([...change.anchors]);
    else this.baseline.adjust(change.deltaMs);
    this.judge.latencySet(setAtMs);
    this.fine.latencySet();
    this.logChange(atMs, change.rule, fromMs);
  }

  /**
   * A fine offset that stood far from 0 long enough becomes part of the latency (FineLatency): the
   * mapping stays put, the latency stays proven, and the offset may go on from 0.
   */
  private absorbFine(deltaMs: Milliseconds, atMs: Milliseconds): void {
    const fromMs = this.latencyMs;
    this.baseline.adjust(deltaMs);
    this.logChange(atMs, 'fine', fromMs);
  }

  /** Keeps the latest changes of the latency for diagnostics: at `atMs` by `rule` from `fromMs` to the latency now. */
  private logChange(atMs: Milliseconds, rule: LatencyChange['rule'], fromMs: Milliseconds): void {
    const toMs = Number.isFinite(this.latencyMs) ? this.latencyMs : null;
    this.changes = [...this.changes, { atMs, rule, fromMs, toMs }].slice(-MAX_CHANGES_KEPT);
  }

  /**
   * Whether the render line can judge a reading, at least coarsely: its latest reports lie on it
   * (no discontinuity being confirmed). It has seen the reading's frame rendered: OutputTiming
   * defers a reading until then. A fine judge also spans minRenderSpanMs (a younger line can be ms
   * off). (Readings that disagree must also be plausible: after a resume they come seconds off
   * before the line notices.)
   */
  private get lineSteady(): boolean {
    return !this.render.stepPending;
  }

  /** The output may have moved (an underrun was counted): the fine offset follows the next readings quickly (FineLatency). */
  outputDisturbed(): void {
    this.fine.disturbed();
  }

  /** The line restarted: anchors no longer lie on it. Keep their latency, or start over if too few. */
  private lineRestarted(): void {
    this.trend.restarted();
    this.fine.lineRestarted();
    this.fine.disturbed();
    this.lastJudgedMs = null;
    this.baseline.lineRestarted(this.o.minBaselineReadings);
    this.judge.lineRestarted(this.baseline.size > 0);
  }
}
