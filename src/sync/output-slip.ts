/**
 * Drift correction by sample slips instead of playbackRate: Chromium resamples a source whose
 * rate ≠ 1 by linear interpolation, which modulates the treble (−2.4 dB at 10 kHz, −0.56 dB at
 * 5 kHz) at ppm·sampleRate Hz — a warble. Playing at rate 1 (bit-exact) and skipping or repeating
 * whole samples gives the same average rate: this accumulator says when and by how many. Pure.
 */
import type { Ppm } from './units.js';

/** Accumulates a correction rate into whole-sample slips. */
export class SlipAccumulator {
  private pending = 0;
  private ppm: Ppm = 0;

  /** Correction in effect, ppm (positive = play faster = skip samples). */
  get ratePpm(): Ppm {
    return this.ppm;
  }

  /** Samples owed but not yet slipped (|x| < 1 right after {@link take}). */
  get pendingSamples(): number {
    return this.pending;
  }

  /** Change the correction rate from now on. */
  setRate(ratePpm: Ppm): void {
    this.ppm = Number.isFinite(ratePpm) ? ratePpm : 0;
  }

  /** `frames` more frames were played: returns the whole samples to slip now (positive = skip ahead). */
  take(frames: number): number {
    if (!(frames > 0)) return 0;
    this.pending += this.ppm * 1e-6 * frames;
    const whole = Math.trunc(this.pending);
    this.pending -= whole;
    return whole;
  }

  /** Forget what is owed (a new source was scheduled from the plan). */
  reset(): void {
    this.pending = 0;
  }
}
