import { solveLeastSquares, type Observation } from './least-squares.js';
import type { Milliseconds, Ppm, Seconds } from './units.js';

/** One output timestamp (audio-context time ↔ host time, as the shell reads it) and when it was read. */
export interface OutputTimestampReading {
  /** Context time of the frame being output, s. */
  contextTimeSec: Seconds;
  /** Host monotonic time at which that frame is output, ms. */
  performanceTimeMs: Milliseconds;
  /** Host monotonic time when the reading was taken, ms. */
  readAtMs: Milliseconds;
}

/** What {@link AudioClockMap.addReading} did with a reading. */
export const ReadingVerdict = {
  Accepted: 'accepted',
  /** Too old, not advancing, or not yet valid: ignored. */
  Stale: 'stale',
  /** Disagrees with the fit: ignored (for now). */
  Outlier: 'outlier',
  /** The mapping was restarted (a discontinuity: suspend/resume, new context). */
  Reset: 'reset',
} as const;
export type ReadingVerdict = (typeof ReadingVerdict)[keyof typeof ReadingVerdict];

/** Tuning of {@link AudioClockMap}. Durations in ms. */
export interface AudioClockMapOptions {
  /** Readings whose performanceTime is older than this when read are stale (Sendspin: 250 ms). */
  readonly maxAgeMs: Milliseconds;
  /** Readings older than this (by performance time) leave the fit. */
  readonly windowMs: Milliseconds;
  readonly maxReadings: number;
  /** A reading is an outlier if it misses the fit by more than max(this, outlierSigmas·σ), ms. */
  readonly outlierMs: Milliseconds;
  readonly outlierSigmas: number;
  /** This many consecutive, mutually consistent outliers mean a discontinuity: reset to them. */
  readonly resetAfterOutliers: number;
  /** `ready` after this many accepted readings since the last reset. */
  readonly minReadings: number;
  /** Prior standard deviation of the audio-vs-performance rate, ppm. */
  readonly priorRateSdPpm: Ppm;
}

/** Defaults. */
export const DEFAULT_AUDIO_CLOCK_MAP_OPTIONS: AudioClockMapOptions = {
  maxAgeMs: 250,
  windowMs: 60_000,
  maxReadings: 128,
  outlierMs: 2,
  outlierSigmas: 5,
  resetAfterOutliers: 3,
  minReadings: 4,
  priorRateSdPpm: 1_000,
};

interface Point {
  readonly ctxMs: Milliseconds;
  readonly perfMs: Milliseconds;
}

/**
 * Maps audio-context time to the host's monotonic clock from filtered output-timestamp readings:
 * perf = perfRef + offset + (ctx − ctxRef)·(1 + slope), fitted by least squares over a sliding
 * span (rate prior 0 ± priorRateSdPpm). Pure: readings carry their own times.
 */
export class AudioClockMap {
  private readonly options: AudioClockMapOptions;
  private points: Point[] = [];
  private suspects: Point[] = [];
  /** Fit, relative to the newest point: perf − perfRef − (ctx − ctxRef) = offset + slope·(ctx − ctxRef). */
  private fit: { ctxRef: number; perfRef: number; offset: number; slope: number; sigma: number } | null = null;

  constructor(options: Partial<AudioClockMapOptions> = {}) {
    this.options = { ...DEFAULT_AUDIO_CLOCK_MAP_OPTIONS, ...options };
  }

  /** Whether enough readings agree to trust the mapping. */
  get ready(): boolean {
    return this.points.length >= this.options.minReadings;
  }

  /** Audio clock rate vs performance clock, ppm: (dContext/dPerformance − 1)·1e6 (0 without a fit). */
  get ratePpm(): Ppm {
    return this.fit === null ? 0 : (1 / (1 + this.fit.slope) - 1) * 1e6;
  }

  /** Filter and add a reading. */
  addReading(r: OutputTimestampReading): ReadingVerdict {
    const o = this.options;
    const point = { ctxMs: r.contextTimeSec * 1000, perfMs: r.performanceTimeMs };
    const valid = Number.isFinite(point.ctxMs) && Number.isFinite(point.perfMs) && point.ctxMs > 0 && point.perfMs > 0;
    if (!valid || r.readAtMs - r.performanceTimeMs > o.maxAgeMs) return ReadingVerdict.Stale;
    const newest = this.points[this.points.length - 1];
    if (newest !== undefined && point.ctxMs < newest.ctxMs) {
      this.restartWith([point]);
      return ReadingVerdict.Reset;
    }
    if (newest !== undefined && point.ctxMs === newest.ctxMs) return ReadingVerdict.Stale;
    if (this.fit !== null && this.points.length >= 2) {
      const miss = Math.abs(point.perfMs - this.contextToPerfMs(point.ctxMs / 1000));
      if (miss > Math.max(o.outlierMs, o.outlierSigmas * this.fit.sigma)) return this.suspect(point);
    }
    this.suspects = [];
    this.points.push(point);
    const cutoff = point.perfMs - o.windowMs;
    while (this.points.length > 2 && (this.points[0].perfMs < cutoff || this.points.length > o.maxReadings)) this.points.shift();
    this.refit();
    return ReadingVerdict.Accepted;
  }

  /** Performance time (ms) at which the given context time is output; NaN before any reading. */
  contextToPerfMs(contextTimeSec: Seconds): Milliseconds {
    const f = this.fit;
    if (f === null) return Number.NaN;
    const dc = contextTimeSec * 1000 - f.ctxRef;
    return f.perfRef + f.offset + dc * (1 + f.slope);
  }

  /** Context time (s) that is output at the given performance time; NaN before any reading. */
  perfMsToContext(perfMs: Milliseconds): Seconds {
    const f = this.fit;
    if (f === null) return Number.NaN;
    return (f.ctxRef + (perfMs - f.perfRef - f.offset) / (1 + f.slope)) / 1000;
  }

  /** Forget everything (e.g. a new audio context). */
  reset(): void {
    this.restartWith([]);
  }

  private suspect(point: Point): ReadingVerdict {
    const o = this.options;
    const first = this.suspects[0];
    const consistent = first === undefined || Math.abs(point.perfMs - point.ctxMs - (first.perfMs - first.ctxMs)) <= o.outlierMs;
    this.suspects = consistent ? [...this.suspects, point] : [point];
    if (this.suspects.length < o.resetAfterOutliers) return ReadingVerdict.Outlier;
    this.restartWith(this.suspects);
    return ReadingVerdict.Reset;
  }

  private restartWith(points: readonly Point[]): void {
    this.points = [...points];
    this.suspects = [];
    this.fit = null;
    if (points.length > 0) this.refit();
  }

  private refit(): void {
    const ref = this.points[this.points.length - 1];
    const observations: Observation[] = this.points.map((p) => {
      const dc = p.ctxMs - ref.ctxMs;
      return { x: [1, dc / 1000], y: p.perfMs - ref.perfMs - dc, weight: 1 };
    });
    const priorSd = this.options.priorRateSdPpm / 1000;
    const solution = solveLeastSquares(2, observations, [{ index: 1, mean: 0, sd: priorSd }]);
    if (solution === null) return;
    const [offset = 0, slopeMsPerSec = 0] = solution.coef;
    const slope = slopeMsPerSec / 1000;
    const residuals = observations.map((obs) => obs.y - offset - slopeMsPerSec * (obs.x[1] ?? 0));
    const dof = Math.max(1, residuals.length - 2);
    const sigma = Math.sqrt(residuals.reduce((s, v) => s + v * v, 0) / dof);
    this.fit = { ctxRef: ref.ctxMs, perfRef: ref.perfMs, offset, slope, sigma };
  }
}
