/**
 * The render clock's line: the lower envelope of y = arrival − frame time (ms) over the reports of
 * one stretch of rendering, fitted to per-bucket minima with a Gaussian prior on its slope (the
 * audio clock's rate). The prior is the wide first one, or the rate a long earlier line learned
 * (see {@link RenderLine.restart}). Pure: the caller hands in each report's frame time and y.
 */
import { solveLeastSquares, type CoefficientPrior, type Observation } from './least-squares.js';
import type { Milliseconds, Ppm } from './units.js';

/** Tuning of {@link RenderLine} (part of RenderClockOptions). Durations in ms of audio time. */
export interface RenderLineOptions {
  /**
   * Envelope buckets: the minimum of each bucket is one fit point. Must span the render
   * callback's phase cycle against the 128-frame quantum (441-frame callbacks: 128 callbacks,
   * 1.28 s), else bucket minima scatter by up to a quantum (2.9 ms).
   */
  readonly bucketMs: Milliseconds;
  /**
   * The first line's first bucket, from its first report, ms, when that leaves at least half as
   * much of the grid bucket it starts in: shorter, so a page's first line (a joiner's, from frame
   * 0) has a rate of its own sooner. The callback's phase steps 57 frames a callback against the
   * quantum, so even part of a phase cycle covers the phases finely: 100 callbacks (1 s) leave no
   * phase gap over 5 frames (0.11 ms) to bias the minimum; 30 leave 12 (0.27 ms).
   */
  readonly firstBucketMs: Milliseconds;
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
  /**
   * After this many lines in a row restart younger than learnSpanMs, the learned rate prior is
   * dropped. 1: a line that restarts young under a learned rate does not keep it (bench:sync: a
   * rate learned ~1700 ppm wrong before the press drifted each new line off in 3.5–4.5 s, and the
   * third such restart dropped it only 13.5 s after the press; the speaker was silent meanwhile).
   */
  readonly shortLinesResetPrior: number;
  /** Buckets whose minimum misses the fit by more than this many robust scales (and > 0.5 ms) are dropped. */
  readonly outlierScales: number;
}

interface Bucket {
  readonly index: number;
  /** Frame time (ms) and y of the bucket's lowest point (after removing the current rate). */
  tMs: Milliseconds;
  y: Milliseconds;
  key: number;
  /**
   * Shifts since the bucket's lowest point was taken ({@link RenderLine.shift}): each shift gives
   * the buckets before it an offset of their own, so a bucket of level L carries the offsets of the
   * L latest shifts. 0: on the current stretch.
   */
  level: number;
  /**
   * Open when a shift came: its lowest point is from one side of the move or the other, each less
   * than a phase cycle long, so it misses the line by up to a quantum. Left out of the fit (a 1 s
   * half bucket put a shift 0.9 ms off).
   */
  split: boolean;
}

interface Fit {
  readonly refMs: Milliseconds;
  readonly offsetMs: Milliseconds;
  /** dy/dt, ms per ms of audio time. */
  readonly slope: number;
  /** Variances of the line at refMs and of the slope, and their covariance (ms², ms²/ms, 1). */
  readonly varOffset: number;
  readonly covar: number;
  readonly varSlope: number;
}

/** A learned rate prior that the line's own buckets contradict by more than this many combined standard deviations is dropped. */
const PRIOR_CONFLICT_SIGMAS = 4;

/** Floor of the prior σ of a shift's own offset, ms (a zero σ would pin it). */
const MIN_SHIFT_SD_MS = 0.01;

/** Floor of the robust scale of bucket minima, ms. */
const MIN_SCALE_MS = 0.1;

/** See the module comment. Without a fit, the line maps to NaN and its σ is Infinity. */
export class RenderLine {
  private buckets: Bucket[] = [];
  private fit: Fit | null = null;
  private priorSlope = 0;
  private priorSdPpm: Ppm;
  /** Lines in a row that restarted younger than learnSpanMs. */
  private shortLines = 0;
  /** Frame time of the line's first point, ms. */
  private startMsValue = 0;
  private priorDropCount = 0;
  /** 1σ of each shift still under a bucket, latest first, ms: the priors of the shifts' own offsets. */
  private shiftSdsMs: Milliseconds[] = [];
  /**
   * The output restarted since the first line: only the first line (a page's, which a joiner's
   * music waits on) splits its first bucket; later lines keep the grid their rules were tuned on
   * (split, a line after an underrun missed by 1.3 ms in simulation).
   */
  private restarted = false;
  /** Bumped on every refit and clear (callers cache derived values on it). */
  version = 0;

  constructor(private readonly o: RenderLineOptions) {
    this.priorSdPpm = o.priorRateSdPpm;
  }

  /** A fit exists (at least one bucket). */
  get ready(): boolean {
    return this.fit !== null;
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Frame time of the first bucket's lowest point, ms (NaN without buckets). */
  get firstPointMs(): Milliseconds {
    return this.buckets[0]?.tMs ?? Number.NaN;
  }

  /** Frame time of the line's first point, ms. */
  get startMs(): Milliseconds {
    return this.startMsValue;
  }

  /** Frame time at which the newest bucket opened, ms (NaN without buckets). */
  get openBucketStartMs(): Milliseconds {
    const open = this.buckets[this.buckets.length - 1];
    return open === undefined ? Number.NaN : this.bucketStartMs(open.index);
  }

  /** Learned priors dropped as contradicted ({@link priorConflicts}). */
  get priorDrops(): number {
    return this.priorDropCount;
  }

  /** Audio-vs-page-clock rate, ppm: how much faster the audio clock runs (0 without a fit). */
  get ratePpm(): Ppm {
    return this.fit === null ? 0 : (1 / (1 + this.fit.slope) - 1) * 1e6;
  }

  /** 1σ of {@link ratePpm}, ppm (Infinity without a fit). */
  get rateSdPpm(): Ppm {
    return this.fit === null ? Number.POSITIVE_INFINITY : Math.sqrt(Math.max(0, this.fit.varSlope)) * 1e6;
  }

  /** y of the line at frame time `tMs`, ms (NaN without a fit). */
  yAt(tMs: Milliseconds): Milliseconds {
    const f = this.fit;
    return f === null ? Number.NaN : f.offsetMs + f.slope * (tMs - f.refMs);
  }

  /** The frame time whose envelope page time (tMs + y) is `perfMs`, ms (NaN without a fit). */
  timeAtPerfMs(perfMs: Milliseconds): Milliseconds {
    const f = this.fit;
    return f === null ? Number.NaN : (perfMs - f.offsetMs + f.slope * f.refMs) / (1 + f.slope);
  }

  /** 1σ of the line at a frame time, ms (Infinity without a fit). */
  sdAtMs(tMs: Milliseconds): Milliseconds {
    const f = this.fit;
    if (f === null) return Number.POSITIVE_INFINITY;
    const dt = tMs - f.refMs;
    return Math.sqrt(Math.max(0, f.varOffset + 2 * dt * f.covar + dt * dt * f.varSlope));
  }

  /** Drops the line (its prior stays). */
  clear(): void {
    this.buckets = [];
    this.shiftSdsMs = [];
    this.fit = null;
    this.version++;
  }

  /**
   * The output restarted after `spanMs` of this line: a long line's rate becomes the prior, as well
   * as it was known (never tighter than learnedRateSdPpm); a younger one mostly repeats its prior
   * and teaches nothing. Then the line is dropped.
   */
  restart(spanMs: Milliseconds): void {
    this.restarted = true;
    if (this.fit !== null && spanMs >= this.o.learnSpanMs) {
      this.priorSlope = this.fit.slope;
      this.priorSdPpm = Math.max(this.o.learnedRateSdPpm, Math.min(this.priorSdPpm, this.rateSdPpm));
      this.shortLines = 0;
    } else if (++this.shortLines >= this.o.shortLinesResetPrior) {
      // A wrongly learned rate makes each new line drift off before it has the buckets to unlearn
      // it, so none lives long enough to teach a better one (e2e late joiner: 2800 ± 112 ppm,
      // 19 restarts, never ready): back to the wide first prior.
      this.resetPrior();
      this.shortLines = 0;
    }
    this.clear();
  }

  /**
   * The output moved by `deltaMs` and a witness measured it to `sdMs` (1σ): every bucket so far
   * moves with it, and the fit gives them an offset of their own with that prior, which the
   * buckets after the move pin down as they close. So the line maps at once, no less sure than
   * the witness, and keeps the rate it learned; a restart maps coarsely until a new line matures.
   * Each shift has its own offset: a witness that missed a first move by 2 ms left the buckets
   * between two shifts 2 ms off the older ones under one shared offset, and the fit bent its
   * rate 45 ppm for 40 s to reconcile them (bench:sync).
   */
  shift(deltaMs: Milliseconds, sdMs: Milliseconds): void {
    for (const b of this.buckets) {
      b.y += deltaMs;
      b.key += deltaMs;
      b.level++;
    }
    const open = this.buckets[this.buckets.length - 1];
    if (open !== undefined) open.split = true;
    this.shiftSdsMs.unshift(sdMs);
    this.refit();
  }

  /** One point: kept if it is its bucket's lowest (after removing the current rate), then refitted. */
  insert(tMs: Milliseconds, y: Milliseconds): void {
    const o = this.o;
    const last = this.buckets[this.buckets.length - 1];
    if (last === undefined) this.startMsValue = tMs;
    const index = this.bucketIndex(tMs);
    const slope = this.fit?.slope ?? this.priorSlope;
    const key = y - slope * (tMs - this.bucketStartMs(index));
    if (last !== undefined && last.index === index) {
      if (key >= last.key) return;
      Object.assign(last, { tMs, y, key, level: 0 });
    } else {
      this.buckets.push({ index, tMs, y, key, level: 0, split: false });
      while (this.buckets.length > 1 && (this.buckets[0]?.tMs ?? tMs) < tMs - o.windowMs) this.buckets.shift();
      this.shiftSdsMs.length = Math.min(this.shiftSdsMs.length, this.buckets[0]?.level ?? 0);
    }
    this.refit();
  }

  /**
   * The bucket of a frame time: buckets lie on a grid of `bucketMs`, and the grid bucket a line
   * starts in is split `firstBucketMs` after its start when that leaves a second part. Indices are
   * 2·(grid bucket) + (0 | 1 for the part after the split).
   */
  private bucketIndex(tMs: Milliseconds): number {
    const grid = Math.floor(tMs / this.o.bucketMs);
    return 2 * grid + (grid === this.startGrid && tMs >= this.splitMs ? 1 : 0);
  }

  /** Frame time at which bucket `index` opens, ms. */
  private bucketStartMs(index: number): Milliseconds {
    const grid = Math.floor(index / 2);
    if (index % 2 === 1) return this.splitMs;
    return grid === this.startGrid ? this.startMsValue : grid * this.o.bucketMs;
  }

  /** Grid bucket of the line's first point. */
  private get startGrid(): number {
    return Math.floor(this.startMsValue / this.o.bucketMs);
  }

  /**
   * Frame time that splits the line's first grid bucket, ms (Infinity: no split: not the first
   * line, or less than half of `firstBucketMs` would be left after it: a line reseeded 0.9 s into
   * the grid bucket had a 0.1 s second bucket, whose minimum, a few callbacks' worth, bent its
   * rate 700 ppm in bench:late-join).
   */
  private get splitMs(): Milliseconds {
    if (this.restarted) return Number.POSITIVE_INFINITY;
    const splitMs = this.startMsValue + this.o.firstBucketMs;
    return splitMs + this.o.firstBucketMs / 2 <= (this.startGrid + 1) * this.o.bucketMs ? splitMs : Number.POSITIVE_INFINITY;
  }

  /**
   * Fit the line to the bucket minima: closed buckets, plus the open one while fewer than two are
   * closed; buckets split by a shift only while nothing else is there.
   */
  private refit(): void {
    const whole = this.buckets.filter((b) => !b.split);
    const all = whole.length > 0 ? whole : this.buckets;
    const closed = all.slice(0, -1);
    const points = closed.length >= 2 ? closed : all;
    const refMs = points.reduce((s, b) => s + b.tMs, 0) / points.length;
    const refY = points[points.length - 1]?.y ?? 0;
    if (this.priorConflicts(points, refMs, refY)) {
      this.resetPrior();
      this.priorDropCount++;
      return this.refit();
    }
    const first = this.fitPoints(points, refMs, refY, null);
    if (first === null) return;
    const residuals = this.residualsOf(points, refMs, refY, first.coef);
    const scale = robustScale(residuals);
    const limit = Math.max(0.5, this.o.outlierScales * scale);
    const keep = points.filter((_, i) => Math.abs(residuals[i] ?? 0) <= limit);
    const fit = this.fitPoints(keep.length >= 2 && keep.length < points.length ? keep : points, refMs, refY, scale);
    if (fit === null) return;
    const [a = 0, b = 0] = fit.coef;
    const cov = fit.covariance;
    this.fit = { refMs, offsetMs: refY + a, slope: b / 1000, varOffset: cov[0]?.[0] ?? 0, covar: (cov[0]?.[1] ?? 0) / 1000, varSlope: (cov[1]?.[1] ?? 0) / 1e6 };
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
    const data = this.fitPoints(points, refMs, refY, null, Number.POSITIVE_INFINITY);
    if (data === null) return false;
    // Unit weights: the covariance scales with the residuals' variance.
    const sdMsPerSec = robustScale(this.residualsOf(points, refMs, refY, data.coef)) * Math.sqrt(Math.max(0, data.covariance[1]?.[1] ?? 0));
    const gapMsPerSec = Math.abs((data.coef[1] ?? 0) - this.priorSlope * 1000);
    return gapMsPerSec > PRIOR_CONFLICT_SIGMAS * Math.hypot(sdMsPerSec, this.priorSdPpm / 1000);
  }

  /** Back to the wide first prior. */
  private resetPrior(): void {
    this.priorSlope = 0;
    this.priorSdPpm = this.o.priorRateSdPpm;
  }

  /**
   * Least squares of the points (unit weights when `scaleMs` is null) under a prior on the slope
   * (Infinity: none). Each shift under a point gets a coefficient, its own offset, with the shift's
   * prior unless points lie right before and after it: coef = [offset at refMs, slope in ms per s,
   * latest shift's offset, the one before…].
   */
  private fitPoints(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds, scaleMs: Milliseconds | null, priorSdPpm: Ppm = this.priorSdPpm) {
    const weight = scaleMs === null ? 1 : 1 / (scaleMs * scaleMs);
    // Levels never exceed the shifts still recorded (insert trims those to the oldest bucket's level).
    const levels = Math.max(0, ...points.map((b) => b.level));
    const priors: CoefficientPrior[] = [{ index: 1, mean: this.priorSlope * 1000, sd: priorSdPpm / 1000 }];
    // A shift with points right on both sides of it is measured by them: its witness's prior would
    // only pull against them, and the slope would bend to share the strain (a witness 2 ms off bent
    // it 25 ppm until the shifted buckets aged out of the fit span). Without such points (none after it yet,
    // or two shifts with no bucket between them), the prior is what tells it apart.
    const atLevel = new Set(points.map((b) => b.level));
    for (let k = 0; k < levels; k++) {
      if (!atLevel.has(k) || !atLevel.has(k + 1)) priors.push({ index: 2 + k, mean: 0, sd: Math.max(this.shiftSdsMs[k] ?? 0, MIN_SHIFT_SD_MS) });
    }
    const observations: Observation[] = points.map((b) => ({
      x: [1, (b.tMs - refMs) / 1000, ...Array.from({ length: levels }, (_, k) => (k < b.level ? 1 : 0))],
      y: b.y - refY,
      weight,
    }));
    return solveLeastSquares(2 + levels, observations, priors);
  }

  /** Residuals of bucket minima around a fit's coefficients (see {@link fitPoints}), ms. */
  private residualsOf(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds, coef: readonly number[]): number[] {
    return points.map((b) => {
      let shiftsMs = 0;
      for (let k = 0; k < b.level; k++) shiftsMs += coef[2 + k] ?? 0;
      return b.y - refY - (coef[0] ?? 0) - (coef[1] ?? 0) * ((b.tMs - refMs) / 1000) - shiftsMs;
    });
  }
}

/** Robust scale of residuals (1.4826 · median absolute value, at least MIN_SCALE_MS), ms. */
function robustScale(residuals: readonly number[]): Milliseconds {
  const sorted = residuals.map(Math.abs).sort((a, b) => a - b);
  return Math.max(MIN_SCALE_MS, 1.4826 * (sorted[sorted.length >> 1] ?? 0));
}
