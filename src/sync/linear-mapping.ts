import type { Milliseconds, Ppm } from './units.js';

/**
 * A linear map from a tab's local clock to the shared timeline:
 * shared = local + offsetMs + rate·(local − refLocalMs).
 *
 * `rate` is dimensionless (dShared/dLocal − 1); 200 ppm is 2e-4. Computations are done relative
 * to `refLocalMs` so large clock values (hours of uptime, offsets of hours) keep full precision.
 */
export interface LinearMapping {
  /** Local time (ms) at which `offsetMs` applies. */
  readonly refLocalMs: Milliseconds;
  /** shared − local at `refLocalMs`. */
  readonly offsetMs: Milliseconds;
  /** dShared/dLocal − 1, dimensionless; |rate| ≪ 1. */
  readonly rate: number;
}

/** shared = local: the mapping of a tab that never synced. */
export const IDENTITY_MAPPING: LinearMapping = { refLocalMs: 0, offsetMs: 0, rate: 0 };

/** shared − local at the given local time (ms). */
export function mappingOffsetAt(m: LinearMapping, localMs: Milliseconds): Milliseconds {
  return m.offsetMs + m.rate * (localMs - m.refLocalMs);
}

/** Local → shared time (ms). */
export function mapToShared(m: LinearMapping, localMs: Milliseconds): Milliseconds {
  return localMs + mappingOffsetAt(m, localMs);
}

/** Shared → local time (ms); exact inverse of {@link mapToShared}. */
export function mapToLocal(m: LinearMapping, sharedMs: Milliseconds): Milliseconds {
  const sharedAtRef = m.refLocalMs + m.offsetMs;
  return m.refLocalMs + (sharedMs - sharedAtRef) / (1 + m.rate);
}

/** The same mapping re-expressed around another local reference time (no change in values). */
export function rebaseMapping(m: LinearMapping, refLocalMs: Milliseconds): LinearMapping {
  return { refLocalMs, offsetMs: mappingOffsetAt(m, refLocalMs), rate: m.rate };
}

/** The mapping's rate in ppm. */
export function mappingRatePpm(m: LinearMapping): Ppm {
  return m.rate * 1e6;
}
