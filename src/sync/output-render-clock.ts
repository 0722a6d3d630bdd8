/**
 * The audio render clock as seen from the page clock, from the frames an AudioWorklet
 * actually renders: each report is a frame number and the page time its message arrived
 * on the main thread. Arrivals are late by main-thread delay and by where the quantum sat in its
 * render burst, never early, so the lower envelope of y = arrival − frame/sampleRate·1000 over
 * time is a line (offset + skew), like a min-RTT filter. Pure: reports carry their own times.
 */
import { RenderLine, type RenderLineOptions } from './output-render-line.js';
import { SmallStepWatch, type SmallStep, type SmallStepOptions } from './output-render-small-step.js';
import { RenderStepDetector, StepVerdict, type RenderStepOptions, type WitnessedStep } from './output-render-step.js';
import type { Milliseconds, Ppm } from './units.js';

/** One message from the frame counter. */
export interface RenderFrameReport {
  /** Context frame of the reported render quantum (AudioWorkletGlobalScope.currentFrame). */
  readonly frame: number;
  /** Page clock (ms) when the message arrived (on the main thread or a worker). */
  readonly arrivalPerfMs: Milliseconds;
}

/** Tuning of {@link RenderClock}. Durations in ms of audio time. */
export interface RenderClockOptions extends RenderStepOptions, SmallStepOptions, RenderLineOptions {
  readonly sampleRateHz: number;
  /**
   * 1σ of a witnessed step's size, ms: the line's shifted buckets get their own offset with this
   * prior. The output timestamps gave a 5.3–5.5 ms move of the rendered output as 5.6–5.8 ms in
   * bench:sync's 10-minute run.
   */
  readonly witnessSdMs: Milliseconds;
}

/** Defaults (sampleRateHz must be given). */
export const DEFAULT_RENDER_CLOCK_OPTIONS: Omit<RenderClockOptions, 'sampleRateHz'> = {
  bucketMs: 2_000, firstBucketMs: 1_000, windowMs: 60_000, witnessSdMs: 0.5, stepMs: 3, stepConfirmMs: 1_500, bigStepMs: 15, flatMs: 3, bigStepConfirmMs: 250, hintBeforeMs: 500, witnessSteps: true, smallStepMs: 0.5, smallStepAgreeMs: 0.3, smallStepConfirmMs: 750, priorRateSdPpm: 1_000, learnedRateSdPpm: 100, learnSpanMs: 10_000, shortLinesResetPrior: 1, outlierScales: 4,
};

function isWitnessed(verdict: StepVerdict): verdict is WitnessedStep {
  return typeof verdict === 'object' && 'deltaMs' in verdict;
}

/**
 * Only a line younger than this can be dropped as built on a backlog (a backlog drains within it),
 * ms: an older one-bucket line drifting 3 ms off is a wrong rate prior, which only restarts (and
 * their count) may unlearn.
 */
const RESEED_MAX_AGE_MS = 1_000;

/**
 * Render clock: `frameToPerfMs(frame)` is the lower envelope of the arrival of `frame`'s report,
 * i.e. a fixed (unknown) offset before the frame is heard. Restarts on discontinuities, keeping
 * the learned rate (and how well it was known) as the prior.
 */
export class RenderClock {
  private readonly o: RenderClockOptions;
  private readonly line: RenderLine;
  private readonly steps: RenderStepDetector;
  private readonly smallSteps: SmallStepWatch;
  /** A confirmed small step not yet applied (see isStep). */
  private smallStep: SmallStep | null = null;
  private lastFrame = -1;
  private reportCount = 0;
  private restartCount = 0;
  private reseedCount = 0;
  private shiftCount = 0;

  constructor(options: Partial<RenderClockOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_RENDER_CLOCK_OPTIONS, ...options };
    this.line = new RenderLine(this.o);
    this.steps = new RenderStepDetector(this.o);
    this.smallSteps = new SmallStepWatch(this.o);
  }

  /** Bumped on every refit and restart (callers cache derived values on it). */
  get version(): number {
    return this.line.version;
  }

  /** A line exists (at least one bucket). */
  get ready(): boolean {
    return this.line.ready;
  }

  /** Audio-vs-page-clock rate, ppm: how much faster the audio clock runs (0 without a fit). */
  get ratePpm(): Ppm {
    return this.line.ratePpm;
  }

  /** 1σ of {@link ratePpm}, ppm (Infinity without a fit). */
  get rateSdPpm(): Ppm {
    return this.line.rateSdPpm;
  }

  /** The current line's buckets. */
  get buckets(): number {
    return this.line.bucketCount;
  }

  /**
   * Reports taken, restarts, witnessed steps the line was shifted by, lines dropped as built on a
   * backlog and learned rate priors dropped so far, and the current line's buckets.
   */
  get counters(): { readonly reports: number; readonly restarts: number; readonly shifts: number; readonly reseeds: number; readonly priorDrops: number; readonly buckets: number } {
    return { reports: this.reportCount, restarts: this.restartCount, shifts: this.shiftCount, reseeds: this.reseedCount, priorDrops: this.line.priorDrops, buckets: this.line.bucketCount };
  }

  /**
   * Discontinuities so far: restarts and shifts. Whatever lay on the line before one (readings
   * taken as anchors) no longer does.
   */
  get breaks(): number {
    return this.restartCount + this.shiftCount;
  }

  /** Audio time covered by the current line's reports from its first bucket's lowest point, ms (0 without a line). */
  get spanMs(): Milliseconds {
    return this.line.bucketCount === 0 ? 0 : this.newestFrameMs - this.line.firstPointMs;
  }

  /** Audio time covered by the reports since the newest bucket opened, ms (0 without a line). */
  get openBucketSpanMs(): Milliseconds {
    return this.line.bucketCount === 0 ? 0 : this.newestFrameMs - this.line.openBucketStartMs;
  }

  /** Audio time since the current line's first report, ms (0 without a line). */
  get ageMs(): Milliseconds {
    return this.line.ready ? this.newestFrameMs - this.line.startMs : 0;
  }

  /** Frame time (ms of audio time) of the newest report, or NaN. */
  get newestFrameMs(): Milliseconds {
    return this.lastFrame < 0 ? Number.NaN : this.frameMs(this.lastFrame);
  }

  /** From now on a big step needs a hint near it (the browser counts underruns). */
  expectHints(): void {
    this.steps.expectHints();
  }

  /** The output may have moved at `atPerfMs` (an underrun was counted, the context resumed). */
  hintDiscontinuity(atPerfMs: Milliseconds): void {
    this.steps.hint(atPerfMs);
  }

  /**
   * The browser's output timestamps moved by `deltaMs` at `atPerfMs`, judged against this line
   * while a step was pending: a step of the reports' run that agrees shifts the line at once
   * (RenderStepDetector.witness).
   */
  witnessStep(deltaMs: Milliseconds, atPerfMs: Milliseconds): void {
    this.steps.witness(deltaMs, atPerfMs);
  }

  /**
   * A plausible reading judged on this line while it is mature and steady: its implied latency
   * minus the latency heard, ms, read at `atPerfMs`. A jump that the reports confirm shifts the
   * line ({@link SmallStepWatch}).
   */
  readingDeviation(deviationMs: Milliseconds, atPerfMs: Milliseconds): void {
    this.smallSteps.reading(deviationMs, atPerfMs);
  }

  /** Take a report. Returns false if it was ignored (invalid, not advancing). */
  add(report: RenderFrameReport): boolean {
    const { frame, arrivalPerfMs } = report;
    if (!Number.isFinite(frame) || !Number.isFinite(arrivalPerfMs) || frame < 0) return false;
    if (frame === this.lastFrame) return false;
    if (frame < this.lastFrame) this.restart();
    this.lastFrame = frame;
    this.reportCount++;
    const tMs = this.frameMs(frame);
    const y = arrivalPerfMs - tMs;
    if (this.builtOnBacklog(tMs, y)) this.reseed();
    if (this.line.ready && this.isStep(tMs, y, arrivalPerfMs)) return true;
    this.line.insert(tMs, y);
    return true;
  }

  /** Envelope page time of a frame time (ms of audio time = frame/sampleRate·1000); NaN before any report. */
  timeToPerfMs(tMs: Milliseconds): Milliseconds {
    return tMs + this.line.yAt(tMs);
  }

  /** Inverse of {@link timeToPerfMs}. */
  perfMsToTime(perfMs: Milliseconds): Milliseconds {
    return this.line.timeAtPerfMs(perfMs);
  }

  /** 1σ of the line at a frame time, ms (Infinity without a fit). */
  sdAtMs(tMs: Milliseconds): Milliseconds {
    return this.line.sdAtMs(tMs);
  }

  /**
   * Whether the latest reports have all lain off the line for a while: the line may be moving
   * (see {@link RenderStepDetector.pending}).
   */
  get stepPending(): boolean {
    return this.steps.pending;
  }

  private frameMs(frame: number): Milliseconds {
    return (frame / this.o.sampleRateHz) * 1000;
  }

  /**
   * Judges a report against the line ({@link RenderStepDetector}): a discontinuity restarts the
   * line (a witnessed one shifts it), and a big or witnessed step's reports go on the line (it maps at once, coarsely: see
   * OutputTiming). True if the report was taken here (held back or replayed).
   */
  private isStep(tMs: Milliseconds, y: Milliseconds, arrivalMs: Milliseconds): boolean {
    const judged = { tMs, y, arrivalMs, r: y - this.line.yAt(tMs) };
    const verdict = this.steps.judge(judged);
    // A small step confirmed while a report lies off the line (one beyond stepMs) waits for the next on it.
    const small = this.smallSteps.judge(judged) ?? this.smallStep;
    this.smallStep = null;
    if (verdict === StepVerdict.onLine) {
      // A small step: shifted, and the report goes on the shifted line.
      if (small !== null) this.shift(small.deltaMs, small.sinceTMs);
      return false;
    }
    if (verdict === StepVerdict.held) {
      this.smallStep = small;
      return true;
    }
    const witnessed = isWitnessed(verdict);
    if (witnessed) this.shift(verdict.deltaMs);
    else this.restart();
    if (verdict === StepVerdict.restart) return false;
    for (const h of witnessed ? verdict.reports : verdict) this.line.insert(h.tMs, h.y);
    return true;
  }

  /**
   * Whether a report lies more than stepMs *below* a young line of one bucket: arrivals are only ever
   * late, so every report that line was built on came late (a page starting up delivers its
   * first reports in a backlog: a late joiner's first line lay 459 ms late, and held its readings
   * stale for 1.5 s until the step detector restarted it). An older line has buckets from
   * different moments and keeps the step detector's judgement.
   */
  private builtOnBacklog(tMs: Milliseconds, y: Milliseconds): boolean {
    return this.line.ready && this.line.bucketCount === 1 && this.ageMs < RESEED_MAX_AGE_MS && y - this.line.yAt(tMs) < -this.o.stepMs;
  }

  /** Drops a line built on a backlog ({@link builtOnBacklog}): not a restart of the output, so no restart is counted and the rate prior stays. */
  private reseed(): void {
    this.line.clear();
    this.steps.reset();
    this.smallSteps.reset();
    this.reseedCount++;
  }

  /**
   * A witnessed step of the output: the line moves by it and keeps its rate (RenderLine.shift;
   * buckets after frame time `sinceTMs`, ms, may hold either side of it).
   */
  private shift(deltaMs: Milliseconds, sinceTMs: Milliseconds = Number.POSITIVE_INFINITY): void {
    this.line.shift(deltaMs, this.o.witnessSdMs, sinceTMs);
    this.steps.reset();
    this.smallSteps.reset();
    this.shiftCount++;
  }

  /** A discontinuity: a new line, with what the old one taught of the rate (RenderLine.restart). */
  private restart(): void {
    this.line.restart(this.spanMs);
    this.steps.reset();
    this.smallSteps.reset();
    this.restartCount++;
  }
}
