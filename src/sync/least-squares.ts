/**
 * Small weighted linear least squares with optional Gaussian priors on single coefficients.
 *
 * Minimises Σ wᵢ·(yᵢ − xᵢ·β)² + Σₚ (β[p] − meanₚ)² / sdₚ². With wᵢ = 1/σᵢ² this is the Gaussian
 * posterior mode, and `covariance` is the posterior covariance of β. Intended for 2–4 unknowns:
 * the normal equations are solved by Gauss–Jordan elimination with partial pivoting. Callers
 * should centre and scale their regressors (e.g. seconds around the mean) to keep it well
 * conditioned.
 */

/** One weighted observation yᵢ = Σₖ xᵢ[k]·β[k] + noise, with weight wᵢ = 1/variance. */
export interface Observation {
  readonly x: readonly number[];
  readonly y: number;
  readonly weight: number;
}

/** A Gaussian prior β[index] ~ N(mean, sd²); sd in the coefficient's own units, > 0. */
export interface CoefficientPrior {
  readonly index: number;
  readonly mean: number;
  readonly sd: number;
}

/** Solution of a least-squares problem. */
export interface LeastSquaresSolution {
  /** β, length = number of unknowns. */
  readonly coef: readonly number[];
  /** (XᵀWX + P)⁻¹: covariance of β when the weights are true inverse variances. */
  readonly covariance: readonly (readonly number[])[];
}

/**
 * Solve for `unknowns` coefficients. Returns null when the system is singular (too few
 * observations and no prior to pin the remaining directions).
 */
export function solveLeastSquares(
  unknowns: number,
  observations: readonly Observation[],
  priors: readonly CoefficientPrior[] = [],
): LeastSquaresSolution | null {
  const normal = Array.from({ length: unknowns }, () => new Array<number>(unknowns).fill(0));
  const rhs = new Array<number>(unknowns).fill(0);
  for (const { x, y, weight } of observations) {
    for (let r = 0; r < unknowns; r++) {
      const xr = (x[r] ?? 0) * weight;
      rhs[r] += xr * y;
      for (let c = 0; c < unknowns; c++) normal[r][c] += xr * (x[c] ?? 0);
    }
  }
  for (const { index, mean, sd } of priors) {
    const precision = 1 / (sd * sd);
    normal[index][index] += precision;
    rhs[index] += precision * mean;
  }
  const inverse = invert(normal);
  if (inverse === null) return null;
  const coef = inverse.map((row) => row.reduce((sum, v, c) => sum + v * rhs[c], 0));
  return { coef, covariance: inverse };
}

/** Inverse of a small square matrix (Gauss–Jordan, partial pivoting); null if singular. */
function invert(matrix: readonly (readonly number[])[]): number[][] | null {
  const n = matrix.length;
  const a = matrix.map((row, r) => [...row, ...Array.from({ length: n }, (_, c) => (c === r ? 1 : 0))]);
  const scale = Math.max(...matrix.map((row, r) => Math.abs(row[r])), Number.MIN_VALUE);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    }
    if (Math.abs(a[pivot][col]) <= scale * 1e-13) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const rowCol = a[col];
    const p = rowCol[col];
    for (let c = 0; c < 2 * n; c++) rowCol[c] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = a[r];
      const factor = row[col];
      if (factor === 0) continue;
      for (let c = 0; c < 2 * n; c++) row[c] -= factor * rowCol[c];
    }
  }
  return a.map((row) => row.slice(n));
}
