/**
 * Which correction rate a new voice starts at: the rate measured from the output's render clock
 * (the hint), or the rate the drift policy had learned before a re-schedule (the fallback). A
 * well-measured hint wins: a rate learned from a moving output mapping can be far off (seen:
 * 1600 ppm). Otherwise the better known of the two, if known better than the policy's own prior:
 * bench:sync's speaker re-scheduled while its render line knew the rate only to ~100 ppm and its
 * policy had learned nothing, started at 0 against a needed −700 ppm, and drifted 0.7 ms/s for 6 s.
 * Pure.
 */
import type { Ppm } from './units.js';

/** A correction rate and its 1σ, ppm (ppm NaN: unknown). */
export interface RateEstimate {
  readonly ppm: Ppm;
  readonly sdPpm: Ppm;
}

/** No estimate. */
export const NO_RATE: RateEstimate = { ppm: Number.NaN, sdPpm: Number.POSITIVE_INFINITY };

/** A hint known to this (1σ, ppm) wins outright. */
export const TRUSTED_HINT_SD_PPM = 20;

/**
 * The rate to seed a new voice's drift policy with, ppm (NaN: none; the policy keeps its prior).
 * `maxSdPpm`: an estimate less certain than this is no better than the policy's prior.
 */
export function chooseRateSeed(hint: RateEstimate, fallback: RateEstimate, maxSdPpm: Ppm): Ppm {
  const known = (e: RateEstimate): boolean => Number.isFinite(e.ppm) && e.sdPpm <= maxSdPpm;
  if (known(hint) && hint.sdPpm <= TRUSTED_HINT_SD_PPM) return hint.ppm;
  const candidates = [hint, fallback].filter(known).sort((a, b) => a.sdPpm - b.sdPpm);
  return candidates[0]?.ppm ?? Number.NaN;
}
