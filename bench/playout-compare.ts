/**
 * Speaker-vs-speaker comparison of {@link trackPlayout} results from ONE recording (so windows of
 * all speakers share the recording-frame grid). Pure (no Node or browser APIs).
 *
 * At one recording frame, a speaker that hears an earlier track position is late: the difference of
 * heard positions is how far apart two speakers are.
 */
import type { Milliseconds } from '../src/sync/units.js';
import type { PlayoutWindow } from './playout-analysis.js';

/** A value at a recording frame. */
export interface FrameSample {
  readonly recordingFrame: number;
  readonly valueMs: Milliseconds;
}

function positionsByFrame(windows: readonly PlayoutWindow[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const w of windows) if (w.trackPositionSec !== null) map.set(w.recordingFrame, w.trackPositionSec);
  return map;
}

/**
 * A position difference (s) of a track looped every `loopSec` (gapless repeats: one speaker already
 * at 0.01 s of the next repeat is 0.01 s + what the other has left ahead, not a whole track behind),
 * wrapped into (−loopSec/2, loopSec/2]. Infinity: no loop.
 */
export function wrapPositionSec(deltaSec: number, loopSec: number): number {
  if (!Number.isFinite(loopSec)) return deltaSec;
  return deltaSec - loopSec * Math.round(deltaSec / loopSec);
}

/**
 * (position of a − position of b) in ms at every frame where both were locked: positive = b is late.
 * `loopSec`: the track repeats gaplessly with this period (see {@link wrapPositionSec}).
 */
export function pairwiseOffsetsMs(a: readonly PlayoutWindow[], b: readonly PlayoutWindow[], loopSec = Number.POSITIVE_INFINITY): FrameSample[] {
  const bAt = positionsByFrame(b);
  const out: FrameSample[] = [];
  for (const w of a) {
    const other = bAt.get(w.recordingFrame);
    if (w.trackPositionSec !== null && other !== undefined) out.push({ recordingFrame: w.recordingFrame, valueMs: wrapPositionSec(w.trackPositionSec - other, loopSec) * 1000 });
  }
  return out;
}

/**
 * Per speaker: (mean position of the others − own position) in ms at every frame where the speaker
 * and at least `minOthers` others were locked. Positive = this speaker is late. `loopSec`: as in
 * {@link pairwiseOffsetsMs}.
 */
export function errorsVsOthersMs(speakers: ReadonlyArray<readonly PlayoutWindow[]>, minOthers = 1, loopSec = Number.POSITIVE_INFINITY): FrameSample[][] {
  const maps = speakers.map(positionsByFrame);
  return speakers.map((windows, k) => {
    const out: FrameSample[] = [];
    for (const w of windows) {
      const own = w.trackPositionSec;
      if (own === null) continue;
      const others = maps.flatMap((map, j) => (j === k || !map.has(w.recordingFrame) ? [] : [wrapPositionSec(map.get(w.recordingFrame)! - own, loopSec)]));
      if (others.length < minOthers) continue;
      const meanAhead = others.reduce((sum, d) => sum + d, 0) / others.length;
      out.push({ recordingFrame: w.recordingFrame, valueMs: meanAhead * 1000 });
    }
    return out;
  });
}

/**
 * Recording frame at which the track's position 0 was heard, extrapolated from the first locked
 * window (rate 1), or null when never locked.
 */
export function trackStartFrame(windows: readonly PlayoutWindow[], rateHz: number): number | null {
  const first = windows.find((w) => w.trackPositionSec !== null);
  return first === undefined ? null : first.recordingFrame - first.trackPositionSec! * rateHz;
}

/** First recording frame ≥ `fromFrame` whose |sample| exceeds `threshold` (a sound onset), or null. */
export function firstOnsetFrame(signal: Float32Array, fromFrame: number, threshold: number): number | null {
  for (let i = Math.max(0, Math.floor(fromFrame)); i < signal.length; i++) if (Math.abs(signal[i]!) > threshold) return i;
  return null;
}

/**
 * First sample of `errors` from which on |error| ≤ `toleranceMs` holds for `sustain` consecutive
 * samples (or until the end), or null.
 */
export function firstInSync(errors: readonly FrameSample[], toleranceMs: Milliseconds, sustain = 3): FrameSample | null {
  for (let i = 0; i < errors.length; i++) {
    const run = errors.slice(i, i + sustain);
    if (run.every((e) => Math.abs(e.valueMs) <= toleranceMs)) return errors[i]!;
  }
  return null;
}

/**
 * Jumps in a speaker's playout: consecutive locked windows whose implied start (recording time −
 * heard position) differs by more than `thresholdMs` (underruns, reschedules, glitches).
 */
export function countDiscontinuities(windows: readonly PlayoutWindow[], rateHz: number, thresholdMs: Milliseconds = 0.5): number {
  let count = 0;
  let previous: number | null = null;
  for (const w of windows) {
    if (w.trackPositionSec === null) continue;
    const startMs = (w.recordingFrame / rateHz - w.trackPositionSec) * 1000;
    if (previous !== null && Math.abs(startMs - previous) > thresholdMs) count++;
    previous = startMs;
  }
  return count;
}

/**
 * Windows whose heard start (frame time − position) lies more than `outlierMs` off two neighbouring
 * locked windows that agree within `agreeMs` get a null position: a correlation outlier, not
 * playout. A speaker's playout cannot move and come back within one hop (an underrun delays it
 * until a correction ≥ 100 ms later; a re-schedule is a step), while a window of a tonal passage
 * read 2.9 and 5.8 ms off, its neighbours agreeing within 0.03 ms. The neighbours are the nearest
 * locked windows on each side (for a run's first or last window, the next two on its one side),
 * each within `maxGap` windows. Returns the windows and how many were nulled.
 */
export function dropLoneOutliers(windows: readonly PlayoutWindow[], rateHz: number, options: { outlierMs?: Milliseconds; agreeMs?: Milliseconds; maxGap?: number } = {}): { windows: PlayoutWindow[]; dropped: number } {
  const { outlierMs = 1, agreeMs = 0.2, maxGap = 3 } = options;
  const startMs = windows.map((w) => (w.trackPositionSec === null ? null : (w.recordingFrame / rateHz - w.trackPositionSec) * 1000));
  const near = (i: number, direction: 1 | -1, count: number): number[] => {
    const found: number[] = [];
    for (let j = i + direction; j >= 0 && j < windows.length && Math.abs(j - i) <= maxGap * count && found.length < count; j += direction) {
      const value = startMs[j];
      if (value !== null && value !== undefined) found.push(value);
    }
    return found;
  };
  let dropped = 0;
  const out = windows.map((w, i) => {
    const own = startMs[i];
    if (own === null || own === undefined) return w;
    const before = near(i, -1, 1);
    const after = near(i, 1, 1);
    const pair = before.length === 1 && after.length === 1 ? [...before, ...after] : before.length === 0 ? near(i, 1, 2) : after.length === 0 ? near(i, -1, 2) : [];
    if (pair.length < 2) return w;
    const [a, b] = pair as [number, number];
    if (Math.abs(a - b) > agreeMs || Math.abs(own - (a + b) / 2) <= outlierMs) return w;
    dropped++;
    return { ...w, trackPositionSec: null };
  });
  return { windows: out, dropped };
}
