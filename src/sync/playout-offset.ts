/**
 * A speaker's deliberate delay against the shared schedule: the manual latency trim plus acoustic
 * calibration's correction for its output route (positive = heard later), ms. Pure.
 */
import type { Milliseconds } from './units.js';

export class PlayoutOffset {
  constructor(
    private trim: Milliseconds = 0,
    private correction: Milliseconds = 0,
  ) {}

  get trimMs(): Milliseconds {
    return this.trim;
  }

  get correctionMs(): Milliseconds {
    return this.correction;
  }

  /** How much later than the shared schedule to be heard, ms. */
  get totalMs(): Milliseconds {
    return this.trim + this.correction;
  }

  /**
   * Set both parts. Returns how much the total moved (ms; 0 when only the split changed), or null
   * when nothing changed or a value is not finite (then nothing is set).
   */
  set(trimMs: Milliseconds, correctionMs: Milliseconds): Milliseconds | null {
    if (!Number.isFinite(trimMs) || !Number.isFinite(correctionMs)) return null;
    if (trimMs === this.trim && correctionMs === this.correction) return null;
    const before = this.totalMs;
    this.trim = trimMs;
    this.correction = correctionMs;
    return this.totalMs - before;
  }
}
