/**
 * The render line's least squares: bucket minima fitted to an offset and a slope (ms per s of
 * audio time), plus one offset of its own for each shift of the output under them. Pure.
 */
import { solveLeastSquares, type CoefficientPrior, type LeastSquaresSolution, type Observation } from './least-squares.js';
import type { Milliseconds } from './units.js';

/** A bucket's lowest point as the fit sees it. */
export interface FitPoint {
  /** Frame time (ms) and y (ms). */
  readonly tMs: Milliseconds;
  readonly y: Milliseconds;
  /** Shifts since the point was taken: it carries the offsets of the `level` latest shifts. */
  readonly level: number;
}

/** Where the fit is taken: its reference frame time and y, ms. */
export interface FitReference {
  readonly refMs: Milliseconds;
  readonly refY: Milliseconds;
}

/** The slope's Gaussian prior, ms per s (sd Infinity: none). */
export interface SlopePrior {
  readonly meanMsPerSec: number;
  readonly sdMsPerSec: number;
}

/** Floor of the prior σ of a shift's own offset, ms (a zero σ would pin it). */
const MIN_SHIFT_SD_MS = 0.01;

/** Floor of the robust scale of bucket minima, ms. */
const MIN_SCALE_MS = 0.1;

/**
 * Least squares of the points (unit weights when `scaleMs` is null) under the slope's prior. Each
 * shift under a point gets a coefficient, its own offset, with its prior (`shiftSdsMs`, latest
 * first) unless points lie right before and after it: coef = [offset at refMs, slope in ms per s,
 * latest shift's offset, the one before…]. Null when singular.
 */
export function fitRenderPoints(points: readonly FitPoint[], ref: FitReference, scaleMs: Milliseconds | null, slope: SlopePrior, shiftSdsMs: readonly Milliseconds[]): LeastSquaresSolution | null {
  const weight = scaleMs === null ? 1 : 1 / (scaleMs * scaleMs);
  // Levels never exceed the shifts still recorded (RenderLine.insert trims those to the oldest bucket's level).
  const levels = Math.max(0, ...points.map((b) => b.level));
  const priors: CoefficientPrior[] = [{ index: 1, mean: slope.meanMsPerSec, sd: slope.sdMsPerSec }];
  // A shift with points right on both sides of it is measured by them: its witness's prior would
  // only pull against them, and the slope would bend to share the strain (a witness 2 ms off bent
  // it 25 ppm until the shifted buckets aged out of the fit span). Without such points (none after
  // it yet, or two shifts with no bucket between them), the prior is what tells it apart.
  const atLevel = new Set(points.map((b) => b.level));
  for (let k = 0; k < levels; k++) {
    if (!atLevel.has(k) || !atLevel.has(k + 1)) priors.push({ index: 2 + k, mean: 0, sd: Math.max(shiftSdsMs[k] ?? 0, MIN_SHIFT_SD_MS) });
  }
  const observations: Observation[] = points.map((b) => ({
    x: [1, (b.tMs - ref.refMs) / 1000, ...Array.from({ length: levels }, (_, k) => (k < b.level ? 1 : 0))],
    y: b.y - ref.refY,
    weight,
  }));
  return solveLeastSquares(2 + levels, observations, priors);
}

/** Residuals of the points around a fit's coefficients (see {@link fitRenderPoints}), ms. */
export function renderResiduals(points: readonly FitPoint[], ref: FitReference, coef: readonly number[]): number[] {
  return points.map((b) => {
    let shiftsMs = 0;
    for (let k = 0; k < b.level; k++) shiftsMs += coef[2 + k] ?? 0;
    return b.y - ref.refY - (coef[0] ?? 0) - (coef[1] ?? 0) * ((b.tMs - ref.refMs) / 1000) - shiftsMs;
  });
}

/** Robust scale of residuals (1.4826 · median absolute value, at least MIN_SCALE_MS), ms. */
export function robustScale(residuals: readonly number[]): Milliseconds {
  const sorted = residuals.map(Math.abs).sort((a, b) => a - b);
  return Math.max(MIN_SCALE_MS, 1.4826 * (sorted[sorted.length >> 1] ?? 0));
}
