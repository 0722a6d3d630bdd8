/**
 * A second opinion on a pair reading, from the two speakers' recordings alone: where speaker b's
 * channel matches speaker a's window. The tracking reads each speaker against the reference track,
 * where the demo's near-repeats can lock a window far off; this comparison needs no reference and
 * no prediction, so a reading it contradicts (a clear match elsewhere) was the tracking's, not the
 * playout's. Pure (no Node or browser APIs).
 */
import { locateNeedle } from './playout-analysis.js';
import type { Milliseconds, Seconds } from '../src/sync/units.js';

/** Speaker b's lag behind speaker a measured directly: positive = b is late (as pairwiseOffsetsMs). */
export interface DirectPairReading {
  readonly offsetMs: Milliseconds;
  /** Normalized correlation of a's window with b's channel at that lag, −1 … 1. */
  readonly confidence: number;
  /** The best peak elsewhere (more than 5 ms away, or a local maximum more than 1 ms away). */
  readonly runnerUp: number;
}

export interface DirectPairOptions {
  readonly rateHz: number;
  /** Correlation window, s (default 0.08, the tracking's). */
  readonly windowSec?: Seconds;
  /** ± lag searched, s: cover the reading being checked. */
  readonly searchSec: Seconds;
}

/**
 * b's lag behind a at recording frame `frame` (both channels of ONE recording, same rate), from
 * a's window [frame, frame + window) searched in b within ±searchSec. Null when a is silent there.
 */
export function directPairOffset(a: Float32Array, b: Float32Array, frame: number, options: DirectPairOptions): DirectPairReading | null {
  const { rateHz, windowSec = 0.08, searchSec } = options;
  const needle = a.subarray(frame, frame + Math.round(windowSec * rateHz));
  const radius = Math.round(searchSec * rateHz);
  const match = locateNeedle(b, needle, frame - radius, frame + radius, rateHz);
  if (match === null) return null;
  return { offsetMs: ((match.frame - frame) / rateHz) * 1000, confidence: match.confidence, runnerUp: match.runnerUp };
}

/** A pair read directly at many windows: the offsets (ms) of the clear ones, and how many were not. */
export interface DirectPairSeries {
  readonly offsetsMs: Milliseconds[];
  /** Windows where a was silent, the peak was below `minConfidence`, or a runner-up came within 3 % of it. */
  readonly unclear: number;
}

/**
 * {@link directPairOffset} at each of `frames` (±`searchSec`), keeping the clear readings: a
 * peak of at least `minConfidence` that beats the runner-up by 3 %, as the tracking demands.
 */
export function directPairSeries(a: Float32Array, b: Float32Array, frames: readonly number[], options: DirectPairOptions & { readonly minConfidence?: number }): DirectPairSeries {
  const { minConfidence = 0.5 } = options;
  const offsetsMs: Milliseconds[] = [];
  let unclear = 0;
  for (const frame of frames) {
    const reading = directPairOffset(a, b, frame, options);
    if (reading === null || reading.confidence < minConfidence || reading.runnerUp >= 0.97 * reading.confidence) unclear++;
    else offsetsMs.push(reading.offsetMs);
  }
  return { offsetsMs, unclear };
}

/** A pair reading beyond a threshold, and the pair read directly at its window. */
export interface CheckedReading {
  /** s after `fromFrame`. */
  readonly atSec: Seconds;
  readonly valueMs: Milliseconds;
  readonly direct: DirectPairReading | null;
}

/**
 * The first `limit` of a pair's readings (pairwiseOffsetsMs of channels a and b) beyond
 * `thresholdMs`, each checked by {@link directPairOffset} over a range covering the reading.
 */
export function checkReadingsBeyond(
  offsets: ReadonlyArray<{ readonly recordingFrame: number; readonly valueMs: Milliseconds }>,
  a: Float32Array,
  b: Float32Array,
  options: { readonly rateHz: number; readonly thresholdMs: Milliseconds; readonly fromFrame: number; readonly limit?: number },
): CheckedReading[] {
  const { rateHz, thresholdMs, fromFrame, limit = 8 } = options;
  return offsets
    .filter((o) => Math.abs(o.valueMs) > thresholdMs)
    .slice(0, limit)
    .map((o) => ({
      atSec: (o.recordingFrame - fromFrame) / rateHz,
      valueMs: o.valueMs,
      direct: directPairOffset(a, b, o.recordingFrame, { rateHz, searchSec: Math.abs(o.valueMs) / 1000 + 0.02 }),
    }));
}

/** "at: value [direct ms, peak / runner-up]" per reading, comma-separated. */
export function formatCheckedReadings(readings: readonly CheckedReading[]): string {
  const direct = (d: DirectPairReading | null): string => (d === null ? 'silent' : `${d.offsetMs.toFixed(2)}, ${d.confidence.toFixed(2)} / ${Number.isFinite(d.runnerUp) ? d.runnerUp.toFixed(2) : '—'}`);
  return readings.map((r) => `${r.atSec.toFixed(1)}: ${r.valueMs.toFixed(2)} [${direct(r.direct)}]`).join(', ');
}
