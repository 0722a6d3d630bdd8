import { EnvelopeSide, type EnvelopePoint } from './envelope.js';
import { solveLeastSquares, type Observation } from './least-squares.js';
import type { Milliseconds } from './units.js';

/**
 * Joint fit of the two envelopes: A-points = a + b·x + c and B-points = a + b·x − c, where
 * x = (local − refLocalMs)/1000 s, a = θ at refLocalMs (ms), b = dθ/dt (ms/s, i.e. ppm/1000) and
 * c = the mean of the minimum forward and backward delays (ms). The constant asymmetry
 * (c_fwd − c_back)/2 cannot be separated from a by any two-way protocol and ends up in a.
 */
export interface EnvelopeFit {
  /** Local time (ms) the fit is centred on (mean time of the points). */
  readonly refLocalMs: Milliseconds;
  /** θ at refLocalMs, ms. */
  readonly offsetMs: Milliseconds;
  /** dθ/dlocal, dimensionless (ms/ms). */
  readonly rate: number;
  /** Mean minimum one-way delay, ms. */
  readonly minDelayMs: Milliseconds;
  /** Posterior variances/covariance of (a [ms], b [ms/s]): var(a) ms², cov(a,b) ms²/s, var(b) (ms/s)². */
  readonly varA: number;
  readonly covAB: number;
  readonly varB: number;
  /** Robust per-point scale of the residuals at weight 1 (ms), per side. */
  readonly scaleUpperMs: Milliseconds;
  readonly scaleLowerMs: Milliseconds;
  /** Points used per side after outlier rejection. */
  readonly usedUpper: number;
  readonly usedLower: number;
}

/** Tuning for {@link fitEnvelope}. */
export interface EnvelopeFitOptions {
  /** Prior mean of the rate, dimensionless. */
  readonly priorRate: number;
  /** Prior standard deviation of the rate, ppm (> 0). */
  readonly priorRateSdPpm: number;
  /** Points weigh count^exponent (the excess of a bucket minimum shrinks ~1/count). */
  readonly countWeightExponent: number;
  /** Floor for the residual scale, ms (> 0): clock resolution and model noise. */
  readonly noiseFloorMs: Milliseconds;
  /** Points whose weighted residual exceeds this many scales are dropped. */
  readonly outlierSigmas: number;
  /** Residual scales to start from (the previous fit's), ms; default 1 ms each. */
  readonly initialScales?: { readonly upper: number; readonly lower: number };
}

const MAD_TO_SD = 1.4826;

/**
 * Fit the envelope points: an unweighted-scale fit, robust per-side scales from its residuals,
 * then a refit with inverse-variance weights and outliers (buckets where every packet was late,
 * stalls) removed. Returns null without at least one point per side.
 */
export function fitEnvelope(points: readonly EnvelopePoint[], options: EnvelopeFitOptions): EnvelopeFit | null {
  if (!points.some((p) => p.side === EnvelopeSide.Upper) || !points.some((p) => p.side === EnvelopeSide.Lower)) {
    return null;
  }
  const refLocalMs = points.reduce((sum, p) => sum + p.localMs, 0) / points.length;
  const refValue = points[0]?.value ?? 0;
  const weightOf = (p: EnvelopePoint): number => p.count ** options.countWeightExponent;
  const keep = points.map(() => true);
  let scales = { ...(options.initialScales ?? { upper: 1, lower: 1 }) };
  let fit = solve(points, keep, scales, refLocalMs, refValue, weightOf, options);
  for (let pass = 0; pass < 2 && fit !== null; pass++) {
    const current = fit;
    const normalized = points.map((p, i) => {
      const predicted = current.coef[0] + current.coef[1] * ((p.localMs - refLocalMs) / 1000) + p.side * current.coef[2];
      return { side: p.side, r: (p.value - refValue - predicted) * Math.sqrt(weightOf(p)), i };
    });
    scales = {
      upper: robustScale(normalized.filter((n) => n.side === EnvelopeSide.Upper && keep[n.i]).map((n) => n.r), options),
      lower: robustScale(normalized.filter((n) => n.side === EnvelopeSide.Lower && keep[n.i]).map((n) => n.r), options),
    };
    for (const n of normalized) {
      const scale = n.side === EnvelopeSide.Upper ? scales.upper : scales.lower;
      keep[n.i] = Math.abs(n.r) <= options.outlierSigmas * scale;
    }
    scales = {
      upper: rmsScale(normalized.filter((n) => n.side === EnvelopeSide.Upper && keep[n.i]).map((n) => n.r), options),
      lower: rmsScale(normalized.filter((n) => n.side === EnvelopeSide.Lower && keep[n.i]).map((n) => n.r), options),
    };
    fit = solve(points, keep, scales, refLocalMs, refValue, weightOf, options);
  }
  if (fit === null) return null;
  const cov = fit.covariance;
  return {
    refLocalMs,
    offsetMs: refValue + fit.coef[0],
    rate: fit.coef[1] / 1000,
    minDelayMs: fit.coef[2],
    varA: cov[0][0],
    covAB: cov[0][1],
    varB: cov[1][1],
    scaleUpperMs: scales.upper,
    scaleLowerMs: scales.lower,
    usedUpper: points.filter((p, i) => keep[i] && p.side === EnvelopeSide.Upper).length,
    usedLower: points.filter((p, i) => keep[i] && p.side === EnvelopeSide.Lower).length,
  };
}

function solve(
  points: readonly EnvelopePoint[],
  keep: readonly boolean[],
  scales: { upper: number; lower: number },
  refLocalMs: Milliseconds,
  refValue: Milliseconds,
  weightOf: (p: EnvelopePoint) => number,
  options: EnvelopeFitOptions,
): { coef: [number, number, number]; covariance: readonly (readonly number[])[] } | null {
  const observations: Observation[] = [];
  points.forEach((p, i) => {
    if (!keep[i]) return;
    const scale = p.side === EnvelopeSide.Upper ? scales.upper : scales.lower;
    observations.push({
      x: [1, (p.localMs - refLocalMs) / 1000, p.side],
      y: p.value - refValue,
      weight: weightOf(p) / (scale * scale),
    });
  });
  const rateSd = options.priorRateSdPpm / 1000;
  const solution = solveLeastSquares(3, observations, [{ index: 1, mean: options.priorRate * 1000, sd: rateSd }]);
  if (solution === null) return null;
  const [a = 0, b = 0, c = 0] = solution.coef;
  return { coef: [a, b, c], covariance: solution.covariance };
}

/** 1.4826·MAD around the median, floored at the noise floor (ms). */
function robustScale(values: readonly number[], options: EnvelopeFitOptions): number {
  if (values.length < 3) return Math.max(options.noiseFloorMs, ...values.map(Math.abs));
  const median = quantileSorted([...values].sort((a, b) => a - b), 0.5);
  const deviations = values.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return Math.max(options.noiseFloorMs, MAD_TO_SD * quantileSorted(deviations, 0.5));
}

/** Root mean square of the kept residuals, floored at the noise floor (ms). */
function rmsScale(values: readonly number[], options: EnvelopeFitOptions): number {
  if (values.length === 0) return options.noiseFloorMs;
  return Math.max(options.noiseFloorMs, Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length));
}

function quantileSorted(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
