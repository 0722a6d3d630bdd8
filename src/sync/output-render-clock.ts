/**
 * The audio render clock as seen from the page clock, from the frames an AudioWorklet
 * actually renders: each report is a frame number and the page time its message arrived
 * on the main thread. Arrivals are late by main-thread delay and by where the quantum sat in its
 * render burst, never early, so the lower envelope of y = arrival − frame/sampleRate·1000 over
 * time is a line (offset + skew), like a min-RTT filter. Pure: reports carry their own times.
 */
import { solveLeastSquares, type Observation } from './least-squares.js';
import { RenderStepDetector, StepVerdict, type RenderStepOptions } from './output-render-step.js';
import type { Milliseconds, Ppm } from './units.js';

/** One message from the frame counter. */
export interface RenderFrameReport {
  /** Context frame of the reported render quantum (AudioWorkletGlobalScope.currentFrame). */
  readonly frame: number;
  /** Page clock (ms) when the message arrived (on the main thread or a worker). */
  readonly arrivalPerfMs: Milliseconds;
}

/** Tuning of {@link RenderClock}. Durations in ms of audio time. */
export interface RenderClockOptions extends RenderStepOptions {
  readonly sampleRateHz: number;
  /**
   * Envelope buckets: the minimum of each bucket is one fit point. Must span the render
   * callback's phase cycle against the 128-frame quantum (441-frame callbacks: 128 callbacks,
   * 1.28 s), else bucket minima scatter by up to a quantum (2.9 ms).
   */
  readonly bucketMs: Milliseconds;
  /** Fit span: buckets older than this leave the fit. */
  readonly windowMs: Milliseconds;
  /**
   * Prior standard deviation of the rate while none has been learned, ppm. Audio crystals are
   * tens of ppm off, but bench:sync's PulseAudio sink ran 700–900 ppm fast: with a 100 ppm prior
   * a new line took ~20 s to learn that (simulated), and the rate was wrong meanwhile.
   */
  readonly priorRateSdPpm: Ppm;
  /** After a restart the old line's rate is the prior, with at least this standard deviation, ppm… */
  readonly learnedRateSdPpm: Ppm;
  /** …if the old line spanned this much audio time, ms (else the prior stays as it was). */
  readonly learnSpanMs: Milliseconds;
  /** After this many lines in a row restart younger than learnSpanMs, the learned rate prior is dropped. */
  readonly shortLinesResetPrior: number;
  /** Buckets whose minimum misses the fit by more than this many robust scales (and > 0.5 ms) are dropped. */
  readonly outlierScales: number;
}

/** Defaults (sampleRateHz must be given). */
export const DEFAULT_RENDER_CLOCK_OPTIONS: Omit<RenderClockOptions, 'sampleRateHz'> = {
  bucketMs: 2_000, windowMs: 60_000, stepMs: 3, stepConfirmMs: 1_500, bigStepMs: 15, flatMs: 3, bigStepConfirmMs: 250, hintBeforeMs: 500, priorRateSdPpm: 1_000, learnedRateSdPpm: 100, learnSpanMs: 10_000, shortLinesResetPrior: 3, outlierScales: 4,
};

interface Bucket {
  readonly index: number;
  /** Frame time (ms) and y of the bucket's lowest point (after removing the current rate). */
  tMs: Milliseconds;
  y: Milliseconds;
  key: number;
  count: number;
}

interface Line {
  readonly refMs: Milliseconds;
  readonly offsetMs: Milliseconds;
  /** dy/dt, ms per ms of audio time. */
  readonly slope: number;
  /** Standard deviation of the line at refMs and of the slope (ms, ms/ms). */
  readonly varOffset: number;
  readonly covar: number;
  readonly varSlope: number;
  readonly scaleMs: Milliseconds;
}

/**
 * Only a line younger than this can be dropped as built on a backlog (a backlog drains within it),
 * ms: an older one-bucket line drifting 3 ms off is a wrong rate prior, which only restarts (and
 * their count) may unlearn.
 */
const RESEED_MAX_AGE_MS = 1_000;

/** A learned rate prior that the line's own buckets contradict by more than this many combined standard deviations is dropped. */
const PRIOR_CONFLICT_SIGMAS = 4;

/** Floor of the robust scale of bucket minima, ms. */
const MIN_SCALE_MS = 0.1;

/**
 * Render clock: `frameToPerfMs(frame)` is the lower envelope of the arrival of `frame`'s report,
 * i.e. a fixed (unknown) offset before the frame is heard. Restarts on discontinuities, keeping
 * the learned rate (and how well it was known) as the prior.
 */
export class RenderClock {
  private readonly o: RenderClockOptions;
  private buckets: Bucket[] = [];
  private line: Line | null = null;
  private priorSlope = 0;
  private priorSdPpm: Ppm;
  /** Lines in a row that restarted younger than learnSpanMs. */
  private shortLines = 0;
  private readonly steps: RenderStepDetector;
  private lastFrame = -1;
  /** Frame time of the current line's first report, ms. */
  private lineStartMs = 0;
  private reportCount = 0;
  private restartCount = 0;
  private reseedCount = 0;
  private priorDropCount = 0;
  /** Bumped on every refit (callers cache derived values on it). */
  version = 0;

  constructor(options: Partial<RenderClockOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_RENDER_CLOCK_OPTIONS, ...options };
    this.priorSdPpm = this.o.priorRateSdPpm;
    this.steps = new RenderStepDetector(this.o);
  }

  /** A line exists (at least one bucket). */
  get ready(): boolean {
    return this.line !== null;
  }

  /** Audio-vs-page-clock rate, ppm: how much faster the audio clock runs (0 without a fit). */
  get ratePpm(): Ppm {
    return this.line === null ? 0 : (1 / (1 + this.line.slope) - 1) * 1e6;
  }

  /** 1σ of {@link ratePpm}, ppm (Infinity without a fit). */
  get rateSdPpm(): Ppm {
    return this.line === null ? Number.POSITIVE_INFINITY : Math.sqrt(Math.max(0, this.line.varSlope)) * 1e6;
  }

  /** Reports taken, restarts, lines dropped as built on a backlog and learned rate priors dropped so far, and the current line's buckets. */
  get counters(): { readonly reports: number; readonly restarts: number; readonly reseeds: number; readonly priorDrops: number; readonly buckets: number } {
    return { reports: this.reportCount, restarts: this.restartCount, reseeds: this.reseedCount, priorDrops: this.priorDropCount, buckets: this.buckets.length };
  }

  /** Audio time covered by the current line's reports (since the last restart), ms. */
  get spanMs(): Milliseconds {
    const first = this.buckets[0];
    return first === undefined ? 0 : this.newestFrameMs - first.tMs;
  }

  /** Audio time since the current line's first report, ms (0 without a line). */
  get ageMs(): Milliseconds {
    return this.line === null ? 0 : this.newestFrameMs - this.lineStartMs;
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
    if (this.line !== null && this.isStep(tMs, y, arrivalPerfMs)) return true;
    this.insert(tMs, y);
    return true;
  }

  /** Envelope page time of a frame time (ms of audio time = frame/sampleRate·1000); NaN before any report. */
  timeToPerfMs(tMs: Milliseconds): Milliseconds {
    const l = this.line;
    return l === null ? Number.NaN : tMs + l.offsetMs + l.slope * (tMs - l.refMs);
  }

  /** Inverse of {@link timeToPerfMs}. */
  perfMsToTime(perfMs: Milliseconds): Milliseconds {
    const l = this.line;
    return l === null ? Number.NaN : (perfMs - l.offsetMs + l.slope * l.refMs) / (1 + l.slope);
  }

  /** 1σ of the line at a frame time, ms (Infinity without a fit). */
  sdAtMs(tMs: Milliseconds): Milliseconds {
    const l = this.line;
    if (l === null) return Number.POSITIVE_INFINITY;
    const dt = tMs - l.refMs;
    return Math.sqrt(Math.max(0, l.varOffset + 2 * dt * l.covar + dt * dt * l.varSlope));
  }

  private frameMs(frame: number): Milliseconds {
    return (frame / this.o.sampleRateHz) * 1000;
  }

  /**
   * Whether the latest reports have all lain off the line for a while: the line may be moving
   * (see {@link RenderStepDetector.pending}).
   */
  get stepPending(): boolean {
    return this.steps.pending;
  }

  /**
   * Judges a report against the line ({@link RenderStepDetector}): a discontinuity restarts the
   * line, and a big step's reports start the new one (it maps at once, coarsely: see
   * OutputTiming). True if the report was taken here (held back or replayed).
   */
  private isStep(tMs: Milliseconds, y: Milliseconds, arrivalMs: Milliseconds): boolean {
    const verdict = this.steps.judge({ tMs, y, arrivalMs, r: y - (this.timeToPerfMs(tMs) - tMs) });
    if (verdict === StepVerdict.onLine) return false;
    if (verdict === StepVerdict.held) return true;
    this.restart();
    if (verdict === StepVerdict.restart) return false;
    for (const h of verdict) this.insert(h.tMs, h.y);
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
    return this.line !== null && this.buckets.length === 1 && this.ageMs < RESEED_MAX_AGE_MS && y - (this.timeToPerfMs(tMs) - tMs) < -this.o.stepMs;
  }

  /** Drops a line built on a backlog ({@link builtOnBacklog}): not a restart of the output, so no restart is counted and the rate prior stays. */
  private reseed(): void {
    this.buckets = [];
    this.line = null;
    this.steps.reset();
    this.reseedCount++;
    this.version++;
  }

  private restart(): void {
    if (this.line !== null && this.spanMs >= this.o.learnSpanMs) {
      // The old line's rate, as well as it was known (but never tighter than learnedRateSdPpm).
      // A younger line mostly repeats its prior: learning from it would only narrow the prior.
      this.priorSlope = this.line.slope;
      this.priorSdPpm = Math.max(this.o.learnedRateSdPpm, Math.min(this.priorSdPpm, this.rateSdPpm));
      this.shortLines = 0;
    } else if (++this.shortLines >= this.o.shortLinesResetPrior) {
      // A wrongly learned rate makes each new line drift off before it has the buckets to unlearn
      // it, so none lives long enough to teach a better one (e2e late joiner: 2800 ± 112 ppm,
      // 19 restarts, never ready): back to the wide first prior.
      this.priorSlope = 0;
      this.priorSdPpm = this.o.priorRateSdPpm;
      this.shortLines = 0;
    }
    this.buckets = [];
    this.line = null;
    this.steps.reset();
    this.restartCount++;
    this.version++;
  }

  private insert(tMs: Milliseconds, y: Milliseconds): void {
    const o = this.o;
    const index = Math.floor(tMs / o.bucketMs);
    const slope = this.line?.slope ?? this.priorSlope;
    const key = y - slope * (tMs - index * o.bucketMs);
    const last = this.buckets[this.buckets.length - 1];
    if (last === undefined) this.lineStartMs = tMs;
    if (last !== undefined && last.index === index) {
      last.count++;
      if (key >= last.key) return;
      Object.assign(last, { tMs, y, key });
    } else {
      this.buckets.push({ index, tMs, y, key, count: 1 });
      while (this.buckets.length > 1 && (this.buckets[0]?.tMs ?? tMs) < tMs - o.windowMs) this.buckets.shift();
    }
    this.refit();
  }

  /** Fit the line to the bucket minima: closed buckets, plus the open one while fewer than two are closed. */
  private refit(): void {
    const closed = this.buckets.slice(0, -1);
    const points = closed.length >= 2 ? closed : this.buckets;
    const refMs = points.reduce((s, b) => s + b.tMs, 0) / points.length;
    const refY = points[points.length - 1]?.y ?? 0;
    if (this.priorConflicts(points, refMs, refY)) {
      this.dropLearnedPrior();
      return this.refit();
    }
    const first = this.fitPoints(points, refMs, refY, null);
    if (first === null) return;
    const residuals = residualsOf(points, refMs, refY, first.coef);
    const scale = robustScale(residuals);
    const limit = Math.max(0.5, this.o.outlierScales * scale);
    const keep = points.filter((_, i) => Math.abs(residuals[i] ?? 0) <= limit);
    const fit = keep.length >= 2 && keep.length < points.length ? this.fitPoints(keep, refMs, refY, scale) : this.fitPoints(points, refMs, refY, scale);
    if (fit === null) return;
    const [a = 0, b = 0] = fit.coef;
    const cov = fit.covariance;
    this.line = {
      refMs,
      offsetMs: refY + a,
      slope: b / 1000,
      varOffset: cov[0]?.[0] ?? 0,
      covar: (cov[0]?.[1] ?? 0) / 1000,
      varSlope: (cov[1]?.[1] ?? 0) / 1e6,
      scaleMs: scale,
    };
    this.version++;
  }

  /**
   * Whether the line's own buckets (at least 3: a prior-free fit needs residuals for its scale) put
   * the rate more than PRIOR_CONFLICT_SIGMAS away from a learned prior, their and its standard
   * deviations combined. Under the learned prior such buckets look like outliers instead. A line
   * learned on a busy page taught the next one −508 ± 100 ppm where the output ran ~+680
   * (bench:sync): the new line kept it for 5 s, and its speaker drifted 1.2 ms/s meanwhile.
   */
  private priorConflicts(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds): boolean {
    if (this.priorSdPpm >= this.o.priorRateSdPpm || points.length < 3) return false;
    const data = solveLeastSquares(2, points.map((b) => ({ x: [1, (b.tMs - refMs) / 1000], y: b.y - refY, weight: 1 })));
    if (data === null) return false;
    // Unit weights: the covariance scales with the residuals' variance.
    const sdMsPerSec = robustScale(residualsOf(points, refMs, refY, data.coef)) * Math.sqrt(Math.max(0, data.covariance[1]?.[1] ?? 0));
    const gapMsPerSec = Math.abs((data.coef[1] ?? 0) - this.priorSlope * 1000);
    return gapMsPerSec > PRIOR_CONFLICT_SIGMAS * Math.hypot(sdMsPerSec, this.priorSdPpm / 1000);
  }

  /** Back to the wide first prior (see {@link priorConflicts}). */
  private dropLearnedPrior(): void {
    this.priorSlope = 0;
    this.priorSdPpm = this.o.priorRateSdPpm;
    this.priorDropCount++;
  }

  private fitPoints(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds, scaleMs: Milliseconds | null) {
    const weight = scaleMs === null ? 1 : 1 / (scaleMs * scaleMs);
    const observations: Observation[] = points.map((b) => ({ x: [1, (b.tMs - refMs) / 1000], y: b.y - refY, weight }));
    const sdMsPerSec = this.priorSdPpm / 1000;
    return solveLeastSquares(2, observations, [{ index: 1, mean: this.priorSlope * 1000, sd: sdMsPerSec }]);
  }
}

/** Residuals of bucket minima around a fit's coefficients (offset from refY, slope in ms per s around refMs), ms. */
function residualsOf(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds, coef: readonly number[]): number[] {
  return points.map((b) => b.y - refY - (coef[0] ?? 0) - (coef[1] ?? 0) * ((b.tMs - refMs) / 1000));
}

/** Robust scale of residuals (1.4826 · median absolute value, at least MIN_SCALE_MS), ms. */
function robustScale(residuals: readonly number[]): Milliseconds {
  const sorted = residuals.map(Math.abs).sort((a, b) => a - b);
  return Math.max(MIN_SCALE_MS, 1.4826 * (sorted[sorted.length >> 1] ?? 0));
}
