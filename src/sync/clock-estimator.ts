import { roundTrip, selectEnvelope, type ClockSample } from './envelope.js';
import { fitEnvelope, type EnvelopeFit } from './envelope-fit.js';
import { mappingOffsetAt, type LinearMapping } from './linear-mapping.js';
import type { Milliseconds } from './units.js';
import { sampleSupport } from './sample-support.js';
import { feasibleErrorBound } from './feasible-bound.js';

/** Tuning of {@link ClockEstimator}. Durations in ms, rates in ppm. */
export interface ClockEstimatorOptions {
  /** Samples older than this (by local receive time) are forgotten. */
  readonly windowMs: Milliseconds;
  /** Hard cap on stored samples. */
  readonly maxSamples: number;
  /** The bucket width aims at this many buckets over the span of samples kept. */
  readonly targetBuckets: number;
  /** Smallest bucket width; widths are this times a power of two (a stable grid). */
  readonly minBucketMs: Milliseconds;
  /** Largest bucket width. */
  readonly maxBucketMs: Milliseconds;
  /** Prior standard deviation of the rate around the prior rate, ppm. */
  readonly priorRateSdPpm: number;
  /** Envelope points weigh (bucket sample count)^this. */
  readonly countWeightExponent: number;
  /** Floor of the per-point residual scale, ms. */
  readonly noiseFloorMs: Milliseconds;
  /** Outlier threshold in residual scales. */
  readonly outlierSigmas: number;
  /** Samples whose round trip exceeds the recent best by more than max(this, 2 × best) are not fitted (ms). */
  readonly promptMarginMs: Milliseconds;
  /** "Recent" for that best round trip, ms before the newest sample. */
  readonly promptReferenceMs: Milliseconds;
  /** `converged` needs at least this many envelope points on each side... */
  readonly minPointsPerSide: number;
  /** ...and uncertainty at the newest sample at most this (ms)... */
  readonly convergedUncertaintyMs: Milliseconds;
  /** ...and samples spanning at least this long (ms). */
  readonly minSpanMs: Milliseconds;
  /** Once converged, it stays so until the uncertainty exceeds this multiple of the threshold. */
  readonly convergedHysteresis: number;
  /**
   * The fit's standard error is multiplied by this: envelope residuals are not Gaussian and the
   * clocks wander, so the raw figure is optimistic (calibrated so ~68 % of errors fall within).
   */
  readonly uncertaintyScale: number;
  /**
   * The offset is re-centred between the kept samples' support points of A and B around the fitted
   * line: the `supportRank`-th lowest A and highest B (1 = the extremes; 2 ignores one freak point).
   */
  readonly supportRank: number;
}

/** Defaults tuned with bench/clock-sim.ts. */
export const DEFAULT_CLOCK_ESTIMATOR_OPTIONS: ClockEstimatorOptions = {
  windowMs: 120_000,
  maxSamples: 2_000,
  targetBuckets: 8,
  minBucketMs: 50,
  maxBucketMs: 8_000,
  priorRateSdPpm: 300,
  countWeightExponent: 2,
  noiseFloorMs: 0.005,
  outlierSigmas: 4,
  promptMarginMs: 20,
  promptReferenceMs: 5_000,
  minPointsPerSide: 4,
  convergedUncertaintyMs: 0.1,
  minSpanMs: 300,
  convergedHysteresis: 3,
  uncertaintyScale: 1.3,
  supportRank: 2,
};

/** Samples (the newest) whose intervals cap the uncertainty, and the rate's margin there in sigmas. */
const FEASIBLE_SAMPLES = 16;
const FEASIBLE_RATE_SIGMAS = 2;

/**
 * Estimates θ(t) = shared − local as offset + rate·(t − ref) from NTP-style samples, by a joint
 * least-squares fit of the per-bucket minimum of A and maximum of B (see {@link fitEnvelope}),
 * repeated after re-selecting the envelope with the fitted rate. Pure: time only comes from the
 * samples.
 */
export class ClockEstimator {
  private readonly options: ClockEstimatorOptions;
  private samples: ClockSample[] = [];
  private fit: EnvelopeFit | null = null;
  private priorRate: number;
  private priorRateSdPpm: number;
  private isConverged = false;
  /** Local time the fitted samples span, ms. */
  private fittedSpanMs: Milliseconds = 0;

  /** `priorRate`: dimensionless rate expected before data (0, or a previous estimate). */
  constructor(options: Partial<ClockEstimatorOptions> = {}, priorRate = 0) {
    this.options = { ...DEFAULT_CLOCK_ESTIMATOR_OPTIONS, ...options };
    this.priorRate = priorRate;
    this.priorRateSdPpm = this.options.priorRateSdPpm;
  }

  /**
   * Forget all samples; the next fit starts from `priorRate` (dimensionless) with prior standard
   * deviation `priorRateSdPpm` (default: the configured one).
   */
  reset(priorRate: number = this.fit?.rate ?? this.priorRate, priorRateSdPpm = this.options.priorRateSdPpm): void {
    this.samples = [];
    this.fit = null;
    this.fittedSpanMs = 0;
    this.priorRate = priorRate;
    this.priorRateSdPpm = priorRateSdPpm;
    this.isConverged = false;
  }

  /** 1-sigma uncertainty of the rate, ppm (the prior's before the first fit). */
  get rateSdPpm(): number {
    return this.fit === null ? this.priorRateSdPpm : Math.sqrt(this.fit.varB) * 1000;
  }

  /** Samples currently kept for the fit. */
  get sampleCount(): number {
    return this.samples.length;
  }

  /** Lowest RTT among the samples kept (ms), or null without samples. */
  get bestRttMs(): Milliseconds | null {
    return this.samples.length === 0 ? null : Math.min(...this.samples.map(roundTrip));
  }

  /** True once the estimate is trustworthy (see the options); false again after reset. */
  get converged(): boolean {
    return this.isConverged;
  }

  /** The current estimate as a local→shared mapping, or null before the first fit. */
  mapping(): LinearMapping | null {
    return this.fit === null ? null : { refLocalMs: this.fit.refLocalMs, offsetMs: this.fit.offsetMs, rate: this.fit.rate };
  }

  /** Estimated θ at a local time (ms); NaN before the first fit. */
  offsetAt(localMs: Milliseconds): Milliseconds {
    const m = this.mapping();
    return m === null ? Number.NaN : mappingOffsetAt(m, localMs);
  }

  /**
   * 1-sigma uncertainty of θ at a local time (ms), growing with extrapolation; ∞ before the first
   * fit. Never more than the hard bound the newest samples put on the error (see
   * {@link feasibleErrorBound}), which matters when most of the fitted samples are bad; and that
   * bound alone until convergence while the fit has too few points per side to measure its
   * residuals (one reply with a 48 ms round trip gave a fit uncertainty of 0.04 ms and an error of
   * 24 ms).
   */
  uncertaintyAt(localMs: Milliseconds): Milliseconds {
    const f = this.fit;
    if (f === null) return Number.POSITIVE_INFINITY;
    const rateMargin = (FEASIBLE_RATE_SIGMAS * this.rateSdPpm) / 1e6;
    const bound = feasibleErrorBound(this.samples, f, rateMargin, localMs, FEASIBLE_SAMPLES);
    if (!this.isConverged && Math.min(f.usedUpper, f.usedLower) < this.options.minPointsPerSide) return bound;
    return Math.min(this.fitUncertaintyAt(localMs), bound);
  }

  /** The fit's own 1-sigma uncertainty of θ at a local time (ms); ∞ before the first fit. */
  private fitUncertaintyAt(localMs: Milliseconds): Milliseconds {
    const f = this.fit;
    if (f === null) return Number.POSITIVE_INFINITY;
    const x = (localMs - f.refLocalMs) / 1000;
    const variance = f.varA + 2 * x * f.covAB + x * x * f.varB;
    const points = Math.min(f.usedUpper, f.usedLower);
    const smallSampleInflation = 1 + 2 / Math.max(points, 1);
    const floor = this.options.noiseFloorMs;
    const scale = this.options.uncertaintyScale;
    return Math.sqrt(Math.max(variance, 0) * smallSampleInflation * scale * scale + floor * floor);
  }

  /** Add a completed exchange and refit. */
  add(sample: ClockSample): void {
    this.samples.push(sample);
    const newest = sample.t3;
    const cutoff = newest - this.options.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop].t3 < cutoff) drop++;
    drop = Math.max(drop, this.samples.length - this.options.maxSamples);
    if (drop > 0) this.samples.splice(0, drop);
    this.refit();
    this.updateConverged(newest);
  }

  private refit(): void {
    const o = this.options;
    const prompt = this.promptSamples();
    const bucketMs = this.bucketWidth(prompt);
    let rate = this.fit?.rate ?? this.priorRate;
    let fit: EnvelopeFit | null = null;
    for (let pass = 0; pass < 2; pass++) {
      const points = selectEnvelope(prompt, rate, bucketMs);
      fit = fitEnvelope(points, {
        priorRate: this.priorRate,
        priorRateSdPpm: this.priorRateSdPpm,
        countWeightExponent: o.countWeightExponent,
        noiseFloorMs: o.noiseFloorMs,
        outlierSigmas: o.outlierSigmas,
        initialScales: this.fit === null ? undefined : { upper: this.fit.scaleUpperMs, lower: this.fit.scaleLowerMs },
      });
      if (fit === null) break;
      rate = fit.rate;
    }
    if (fit !== null) this.fit = this.recentre(fit, prompt);
    this.fittedSpanMs = prompt.length === 0 ? 0 : prompt[prompt.length - 1].t3 - prompt[0].t0;
  }

  /**
   * The samples the fit uses: those whose round trip is within `max(promptMarginMs, 2 × best)` of
   * the best round trip of the last `promptReferenceMs`. A reply that took tens of ms longer than
   * the link's best bounds θ loosely whatever the fit makes of it, and a period of them (a joiner
   * fetching a track on a busy machine: seconds of 30–800 ms round trips before 1–2 ms ones) set
   * the fit's robust scale and dragged its rate while most buckets were theirs. The reference is
   * recent so that a link that became slower for good is followed.
   */
  private promptSamples(): ClockSample[] {
    const o = this.options;
    const newest = this.samples[this.samples.length - 1];
    if (newest === undefined) return [];
    let best = Number.POSITIVE_INFINITY;
    for (const s of this.samples) if (s.t3 >= newest.t3 - o.promptReferenceMs) best = Math.min(best, roundTrip(s));
    const gate = best + Math.max(o.promptMarginMs, 2 * best);
    return this.samples.filter((s) => roundTrip(s) <= gate);
  }

  /**
   * The least-squares fit gives the rate; its offset weighs the per-bucket envelopes, whose excess
   * over the minimum delay differs between directions whose delay densities near the minimum differ.
   * Shift the line to the midpoint of the fitted samples' support points instead (see {@link sampleSupport}).
   */
  private recentre(fit: EnvelopeFit, samples: readonly ClockSample[]): EnvelopeFit {
    const support = sampleSupport(samples, fit, this.options.supportRank);
    if (support === null) return fit;
    return { ...fit, offsetMs: fit.offsetMs + (support.upperMs + support.lowerMs) / 2 };
  }

  /** Bucket width for fitting `samples`, ms: about `targetBuckets` over their span. */
  private bucketWidth(samples: readonly ClockSample[]): Milliseconds {
    const o = this.options;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const s of samples) {
      first = Math.min(first, s.t0);
      last = Math.max(last, s.t0);
    }
    const ideal = (last - first) / o.targetBuckets;
    let width = o.minBucketMs;
    while (width * 2 <= ideal && width * 2 <= o.maxBucketMs) width *= 2;
    return width;
  }

  private updateConverged(newestLocalMs: Milliseconds): void {
    const f = this.fit;
    const o = this.options;
    if (f === null) {
      this.isConverged = false;
      return;
    }
    const uncertainty = this.fitUncertaintyAt(newestLocalMs);
    if (this.isConverged) {
      this.isConverged = uncertainty <= o.convergedUncertaintyMs * o.convergedHysteresis;
      return;
    }
    this.isConverged =
      Math.min(f.usedUpper, f.usedLower) >= o.minPointsPerSide &&
      this.fittedSpanMs >= o.minSpanMs &&
      uncertainty <= o.convergedUncertaintyMs;
  }
}
