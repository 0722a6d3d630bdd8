/**
 * The render clock's line: the lower envelope of y = arrival − frame time (ms) over the reports of
 * one stretch of rendering, fitted to per-bucket minima with a Gaussian prior on its slope (the
 * audio clock's rate). The prior is the wide first one, or the rate a long earlier line learned
 * (see {@link RenderLine.restart}). Pure: the caller hands in each report's frame time and y.
 */
import { RenderBucketGrid, type RenderBucketOptions } from './output-render-buckets.js';
import { fitRenderPoints, renderResiduals, robustScale, type FitReference } from './output-render-fit.js';
import type { Milliseconds, Ppm } from './units.js';

/** Tuning of {@link RenderLine} (part of RenderClockOptions). Durations in ms of audio time. */
export interface RenderLineOptions extends RenderBucketOptions {
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

/** See the module comment. Without a fit, the line maps to NaN and its σ is Infinity. */
export class RenderLine {
  private buckets: Bucket[] = [];
  private fit: Fit | null = null;
  private priorSlope = 0;
  private priorSdPpm: Ppm;
  /** Lines in a row that restarted younger than learnSpanMs. */
  private shortLines = 0;
  private readonly grid: RenderBucketGrid;
  private priorDropCount = 0;
  /** 1σ of each shift still under a bucket, latest first, ms: the priors of the shifts' own offsets. */
  private shiftSdsMs: Milliseconds[] = [];
  /** Bumped on every refit and clear (callers cache derived values on it). */
  version = 0;

  constructor(private readonly o: RenderLineOptions) {
    this.priorSdPpm = o.priorRateSdPpm;
    this.grid = new RenderBucketGrid(o);
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
    return this.grid.startMs;
  }

  /** Frame time at which the newest bucket opened, ms (NaN without buckets). */
  get openBucketStartMs(): Milliseconds {
    const open = this.buckets[this.buckets.length - 1];
    return open === undefined ? Number.NaN : this.grid.startOf(open.index);
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
    this.grid.noteRestart();
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
   * rate 45 ppm for 40 s to reconcile them (bench:sync). Buckets whose lowest point lies after
   * frame time `sinceTMs` (ms) may be from either side of a move confirmed late (a small step's,
   * SmallStepWatch): they stay as they are, left out of the fit like the open bucket.
   */
  shift(deltaMs: Milliseconds, sdMs: Milliseconds, sinceTMs: Milliseconds = Number.POSITIVE_INFINITY): void {
    for (const b of this.buckets) {
      if (b.tMs > sinceTMs) {
        b.split = true;
        continue;
      }
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
    if (last === undefined) this.grid.begin(tMs);
    const index = this.grid.index(tMs);
    const slope = this.fit?.slope ?? this.priorSlope;
    const key = y - slope * (tMs - this.grid.startOf(index));
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
   * Fit the line to the bucket minima: closed buckets, plus the open one while fewer than two are
   * closed; buckets split by a shift only while nothing else is there.
   */
  private refit(): void {
    const whole = this.buckets.filter((b) => !b.split);
    const all = whole.length > 0 ? whole : this.buckets;
    const closed = all.slice(0, -1);
    const points = closed.length >= 2 ? closed : all;
    const ref: FitReference = { refMs: points.reduce((s, b) => s + b.tMs, 0) / points.length, refY: points[points.length - 1]?.y ?? 0 };
    if (this.priorConflicts(points, ref)) {
      this.resetPrior();
      this.priorDropCount++;
      return this.refit();
    }
    const first = this.fitPoints(points, ref, null);
    if (first === null) return;
    const residuals = renderResiduals(points, ref, first.coef);
    const scale = robustScale(residuals);
    const limit = Math.max(0.5, this.o.outlierScales * scale);
    const keep = points.filter((_, i) => Math.abs(residuals[i] ?? 0) <= limit);
    const fit = this.fitPoints(keep.length >= 2 && keep.length < points.length ? keep : points, ref, scale);
    if (fit === null) return;
    const [a = 0, b = 0] = fit.coef;
    const cov = fit.covariance;
    this.fit = { refMs: ref.refMs, offsetMs: ref.refY + a, slope: b / 1000, varOffset: cov[0]?.[0] ?? 0, covar: (cov[0]?.[1] ?? 0) / 1000, varSlope: (cov[1]?.[1] ?? 0) / 1e6 };
    this.version++;
  }

  /**
   * Whether the line's own buckets (at least 3: a prior-free fit needs residuals for its scale) put
   * the rate more than PRIOR_CONFLICT_SIGMAS away from a learned prior, their and its standard
   * deviations combined. Under the learned prior such buckets look like outliers instead. A line
   * learned on a busy page taught the next one −508 ± 100 ppm where the output ran ~+680
   * (bench:sync): the new line kept it for 5 s, and its speaker drifted 1.2 ms/s meanwhile.
   */
  private priorConflicts(points: readonly Bucket[], ref: FitReference): boolean {
    if (this.priorSdPpm >= this.o.priorRateSdPpm || points.length < 3) return false;
    const data = this.fitPoints(points, ref, null, Number.POSITIVE_INFINITY);
    if (data === null) return false;
    // Unit weights: the covariance scales with the residuals' variance.
    const sdMsPerSec = robustScale(renderResiduals(points, ref, data.coef)) * Math.sqrt(Math.max(0, data.covariance[1]?.[1] ?? 0));
    const gapMsPerSec = Math.abs((data.coef[1] ?? 0) - this.priorSlope * 1000);
    return gapMsPerSec > PRIOR_CONFLICT_SIGMAS * Math.hypot(sdMsPerSec, this.priorSdPpm / 1000);
  }

  /** Back to the wide first prior. */
  private resetPrior(): void {
    this.priorSlope = 0;
    this.priorSdPpm = this.o.priorRateSdPpm;
  }

  /** The points' fit under this line's slope prior (or one `priorSdPpm` wide) and its shifts' priors (see fitRenderPoints). */
  private fitPoints(points: readonly Bucket[], ref: FitReference, scaleMs: Milliseconds | null, priorSdPpm: Ppm = this.priorSdPpm) {
    return fitRenderPoints(points, ref, scaleMs, { meanMsPerSec: this.priorSlope * 1000, sdMsPerSec: priorSdPpm / 1000 }, this.shiftSdsMs);
  }
}
