/**
 * The audio render clock as seen from the performance clock, from the frames an AudioWorklet
 * actually renders: each report is a frame number and the performance time its message arrived
 * on the main thread. Arrivals are late by main-thread delay and by where the quantum sat in its
 * render burst, never early, so the lower envelope of y = arrival − frame/sampleRate·1000 over
 * time is a line (offset + skew), like a min-RTT filter. Pure: reports carry their own times.
 */
import { solveLeastSquares, type Observation } from './least-squares.js';
import type { Milliseconds, Ppm } from './units.js';

/** One message from the frame counter. */
export interface RenderFrameReport {
  /** Context frame of the reported render quantum (AudioWorkletGlobalScope.currentFrame). */
  readonly frame: number;
  /** performance.now() when the message arrived on the main thread, ms. */
  readonly arrivalPerfMs: Milliseconds;
}

/** Tuning of {@link RenderClock}. Durations in ms of audio time. */
export interface RenderClockOptions {
  readonly sampleRateHz: number;
  /**
   * Envelope buckets: the minimum of each bucket is one fit point. Must span the render
   * callback's phase cycle against the 128-frame quantum (441-frame callbacks: 128 callbacks,
   * 1.28 s), else bucket minima scatter by up to a quantum (2.9 ms).
   */
  readonly bucketMs: Milliseconds;
  /** Fit window: buckets older than this leave the fit. */
  readonly windowMs: Milliseconds;
  /** Reports all further than this from the line (one side)… */
  readonly stepMs: Milliseconds;
  /** …arriving over this long are a discontinuity (suspend, underrun): restart. */
  readonly stepConfirmMs: Milliseconds;
  /**
   * A run whose lower envelope lies at least this far off the line (ms)… A main-thread delay
   * never holds a flat envelope that high: a backlog drains (its envelope falls), and between
   * long tasks some reports get through at once.
   */
  readonly bigStepMs: Milliseconds;
  /** …and is flat (the envelopes of its two halves within flatMs of each other)… */
  readonly flatMs: Milliseconds;
  /**
   * …over this long (arrival time, ms) is a discontinuity already, if one was hinted (an underrun
   * counted, a resume) since `hintBeforeMs` before the run began, where the browser gives hints at
   * all (see {@link RenderClock.expectHints}). A render thread that falls behind without an
   * underrun is caught up by the output's buffer: its reports come back to the line, and nothing
   * was heard.
   */
  readonly bigStepConfirmMs: Milliseconds;
  readonly hintBeforeMs: Milliseconds;
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

/** A run of off-line reports this long (arrival time, ms) makes a step pending. */
const PENDING_RUN_MS = 100;
/** Reports of a run kept for the next line (a run lasts stepConfirmMs: ~520 at one per quantum). */
const MAX_HELD = 2_048;
/** Each half of a big step's window holds at least this many reports (else arrivals are too sparse to judge). */
const MIN_HALF_REPORTS = 8;

/** A report held back while a run of off-line reports is judged. */
interface HeldReport {
  readonly tMs: Milliseconds;
  readonly y: Milliseconds;
  readonly arrivalMs: Milliseconds;
  /** Residual from the line (which does not move during a run), ms. */
  readonly r: Milliseconds;
}

interface Run {
  readonly side: number;
  readonly sinceMs: Milliseconds;
  untilMs: Milliseconds;
  readonly held: HeldReport[];
}

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
  private run: Run | null = null;
  private lastFrame = -1;
  /** Performance time of the latest discontinuity hint; null while none are expected (flatness alone decides). */
  private hintMs: Milliseconds | null = null;
  /** Frame time of the current line's first report, ms. */
  private lineStartMs = 0;
  private reportCount = 0;
  private restartCount = 0;
  /** Bumped on every refit (callers cache derived values on it). */
  version = 0;

  constructor(options: Partial<RenderClockOptions> & { sampleRateHz: number }) {
    this.o = { ...DEFAULT_RENDER_CLOCK_OPTIONS, ...options };
    this.priorSdPpm = this.o.priorRateSdPpm;
  }

  /** A line exists (at least one bucket). */
  get ready(): boolean {
    return this.line !== null;
  }

  /** Audio-vs-performance rate, ppm: how much faster the audio clock runs (0 without a fit). */
  get ratePpm(): Ppm {
    return this.line === null ? 0 : (1 / (1 + this.line.slope) - 1) * 1e6;
  }

  /** 1σ of {@link ratePpm}, ppm (Infinity without a fit). */
  get rateSdPpm(): Ppm {
    return this.line === null ? Number.POSITIVE_INFINITY : Math.sqrt(Math.max(0, this.line.varSlope)) * 1e6;
  }

  /** Reports taken and restarts so far. */
  get counters(): { readonly reports: number; readonly restarts: number; readonly buckets: number } {
    return { reports: this.reportCount, restarts: this.restartCount, buckets: this.buckets.length };
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
    this.hintMs ??= Number.NEGATIVE_INFINITY;
  }

  /** The output may have moved at `atPerfMs` (an underrun was counted, the context resumed). */
  hintDiscontinuity(atPerfMs: Milliseconds): void {
    if (this.hintMs !== null) this.hintMs = Math.max(this.hintMs, atPerfMs);
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
    if (this.line !== null && this.isStep(tMs, y, arrivalPerfMs)) return true;
    this.insert(tMs, y);
    return true;
  }

  /** Envelope performance time of a frame time (ms of audio time = frame/sampleRate·1000); NaN before any report. */
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
   * Whether the latest reports have all lain beyond stepMs on one side of the line for at least
   * `PENDING_RUN_MS` of arrival time: the line may be moving (a burst's own spread and main-thread
   * blocks make shorter runs all the time).
   */
  get stepPending(): boolean {
    return this.run !== null && this.run.untilMs - this.run.sinceMs >= PENDING_RUN_MS;
  }

  /**
   * Tracks a run of reports all beyond stepMs on one side of the line (arrivals are one-sided, so
   * a burst always holds reports near it unless the line moved); a run lasting stepConfirmMs of
   * arrival time is a discontinuity: restart. So is a big flat run lasting bigStepConfirmMs, and
   * its reports start the new line (which maps at once, coarsely: see OutputTiming). A main-thread
   * backlog arrives at once, so it never lasts. True if the report was taken here (held or replayed).
   * (A small step's run is not replayed: a line that starts a second or more into a bucket whose
   * envelope is still high learned 120 ± 51 ppm of a true 700 in simulation.)
   */
  private isStep(tMs: Milliseconds, y: Milliseconds, arrivalMs: Milliseconds): boolean {
    const r = y - (this.timeToPerfMs(tMs) - tMs);
    const side = r > this.o.stepMs ? 1 : r < -this.o.stepMs ? -1 : 0;
    if (side === 0) {
      this.run = null;
      return false;
    }
    if (this.run === null || this.run.side !== side) this.run = { side, sinceMs: arrivalMs, untilMs: arrivalMs, held: [] };
    const run = this.run;
    run.untilMs = arrivalMs;
    run.held.push({ tMs, y, arrivalMs, r });
    if (run.held.length > MAX_HELD) run.held.shift();
    if (this.bigFlatStep(run)) {
      this.restart();
      for (const h of this.afterStep(run)) this.insert(h.tMs, h.y);
      return true;
    }
    if (arrivalMs - run.sinceMs < this.o.stepConfirmMs) return true;
    this.restart();
    return false;
  }

  /**
   * The run's reports that belong to the new line: none below the envelope of its latest stretch
   * (bigStepConfirmMs/2 of arrival time) by more than flatMs. Those came before the step, while the
   * old line drifted off; later ones above it (a render catching up) never lower an envelope.
   */
  private afterStep(run: Run): HeldReport[] {
    const sinceMs = run.untilMs - this.o.bigStepConfirmMs / 2;
    let envelope = Number.POSITIVE_INFINITY;
    for (let i = run.held.length - 1; i >= 0 && run.held[i]!.arrivalMs >= sinceMs; i--) envelope = Math.min(envelope, run.held[i]!.r);
    return run.held.filter((h) => h.r >= envelope - this.o.flatMs);
  }

  /**
   * Whether the latest bigStepConfirmMs of a run (arrival time) has a flat lower envelope at least
   * bigStepMs off the line: an underrun of bench:sync's moved a speaker's audio 79–120 ms, and
   * with stepConfirmMs alone it played that far off for 1.5 s before the line even restarted.
   */
  private bigFlatStep(run: Run): boolean {
    const o = this.o;
    if (run.untilMs - run.sinceMs < o.bigStepConfirmMs) return false;
    if (this.hintMs !== null && this.hintMs < run.sinceMs - o.hintBeforeMs) return false;
    const fromMs = run.untilMs - o.bigStepConfirmMs;
    const midMs = run.untilMs - o.bigStepConfirmMs / 2;
    const early = { min: Number.POSITIVE_INFINITY, n: 0 };
    const late = { min: Number.POSITIVE_INFINITY, n: 0 };
    for (let i = run.held.length - 1; i >= 0; i--) {
      const h = run.held[i]!;
      if (h.arrivalMs < fromMs) break;
      const half = h.arrivalMs < midMs ? early : late;
      half.min = Math.min(half.min, h.r);
      half.n++;
    }
    if (early.n < MIN_HALF_REPORTS || late.n < MIN_HALF_REPORTS) return false;
    return Math.abs(early.min) >= o.bigStepMs && Math.abs(late.min) >= o.bigStepMs && Math.abs(early.min - late.min) <= o.flatMs;
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
    this.run = null;
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
    const first = this.fitPoints(points, refMs, refY, null);
    if (first === null) return;
    const residuals = points.map((b) => b.y - refY - first.coef[0] - first.coef[1] * ((b.tMs - refMs) / 1000));
    const sorted = residuals.map(Math.abs).sort((a, b) => a - b);
    const scale = Math.max(MIN_SCALE_MS, 1.4826 * (sorted[sorted.length >> 1] ?? 0));
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

  private fitPoints(points: readonly Bucket[], refMs: Milliseconds, refY: Milliseconds, scaleMs: Milliseconds | null) {
    const weight = scaleMs === null ? 1 : 1 / (scaleMs * scaleMs);
    const observations: Observation[] = points.map((b) => ({ x: [1, (b.tMs - refMs) / 1000], y: b.y - refY, weight }));
    const sdMsPerSec = this.priorSdPpm / 1000;
    return solveLeastSquares(2, observations, [{ index: 1, mean: this.priorSlope * 1000, sd: sdMsPerSec }]);
  }
}
