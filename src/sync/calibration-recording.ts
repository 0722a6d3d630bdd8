/**
 * The listener's recording as calibration sees it: captured blocks placed by their context frame
 * (so a lost block leaves a silent gap instead of shifting everything after it), and the map
 * from shared time to recording frame. Pure.
 *
 * Timing model: the listener's capture context counts frames on its own audio clock; timing
 * marks pair a context frame with the shared time at which it was rendered (from
 * getOutputTimestamp(), the tab's clock and the room timeline). A probe scheduled at shared time T
 * reaches the recording at `frameAt(T)` + the microphone's input latency (unknown but the same for
 * every speaker, so it cancels in relative offsets, as does any error in the line's offset). What
 * matters is its slope (frames per shared ms) between one speaker's slot and the next. Marks are
 * noisy (getOutputTimestamp() on a busy device scatters by 1–2 ms), so the slope has a prior:
 * the nominal frames per shared ms (the audio clock assumed to run with the page clock, whose
 * rate against shared time the room timeline knows) ± {@link RATE_PRIOR_PPM}; clean marks refine it.
 */
import { solveLeastSquares } from './least-squares.js';
import type { Milliseconds } from './units.js';

/** One captured block: samples starting at context frame `frame`. */
export interface CapturedBlock {
  readonly frame: number;
  readonly samples: Float32Array;
}

/** The capture, contiguous from `firstFrame`; gaps (frames never captured) are zeros. */
export interface AssembledRecording {
  readonly firstFrame: number;
  readonly samples: Float32Array;
  /** Frames missing in the capture. */
  readonly missingFrames: number;
}

/** Most frames assembled (60 s at 48 kHz): a bound against absurd frame numbers. */
export const MAX_RECORDING_FRAMES = 60 * 48_000;

/** Places blocks by frame (later blocks win overlaps); frames past {@link MAX_RECORDING_FRAMES} are dropped. */
export function assembleRecording(blocks: readonly CapturedBlock[]): AssembledRecording {
  const valid = blocks.filter((b) => Number.isSafeInteger(b.frame) && b.samples.length > 0);
  if (valid.length === 0) return { firstFrame: 0, samples: new Float32Array(0), missingFrames: 0 };
  const firstFrame = Math.min(...valid.map((b) => b.frame));
  const end = Math.min(firstFrame + MAX_RECORDING_FRAMES, Math.max(...valid.map((b) => b.frame + b.samples.length)));
  const samples = new Float32Array(end - firstFrame);
  const filled = new Uint8Array(samples.length);
  for (const block of valid) {
    const at = block.frame - firstFrame;
    const count = Math.min(block.samples.length, samples.length - at);
    if (count <= 0) continue;
    samples.set(block.samples.subarray(0, count), at);
    filled.fill(1, at, at + count);
  }
  let missingFrames = 0;
  for (let i = 0; i < filled.length; i++) if (filled[i] === 0) missingFrames++;
  return { firstFrame, samples, missingFrames };
}

/** A context frame and the shared time at which it was rendered. */
export interface TimingMark {
  readonly frame: number;
  readonly sharedMs: Milliseconds;
}

/** Shared time ⇄ context frame, linear. */
export interface FrameTimeMap {
  /** Context frame (fractional) rendered at shared time `sharedMs`. */
  frameAt(sharedMs: Milliseconds): number;
  /** Frames per shared ms (nominally rateHz / 1000). */
  readonly framesPerMs: number;
  /** RMS of the marks' residuals, frames. */
  readonly residualFrames: number;
}

/** Prior standard deviation of the audio clock's rate against the page clock, ppm (crystals: ±50). */
export const RATE_PRIOR_PPM = 50;
/** Assumed jitter of one mark, ms; marks off the first fit by more than {@link OUTLIER_MS} are dropped. */
const MARK_SD_MS: Milliseconds = 0.5;
const OUTLIER_MS: Milliseconds = 5;

/**
 * Fits {@link FrameTimeMap} to the marks (one refit without the outliers); null with fewer than 2
 * finite marks. `pagePerSharedMs`: page-clock ms per shared ms now (1 when the clocks agree).
 */
export function fitFrameTimeMap(marks: readonly TimingMark[], rateHz: number, pagePerSharedMs = 1): FrameTimeMap | null {
  const finite = marks.filter((m) => Number.isFinite(m.frame) && Number.isFinite(m.sharedMs));
  const nominal = (rateHz / 1000) * (Number.isFinite(pagePerSharedMs) && pagePerSharedMs > 0 ? pagePerSharedMs : 1);
  const first = fitLine(finite, nominal);
  if (first === null) return null;
  const limit = (OUTLIER_MS * rateHz) / 1000;
  const kept = finite.filter((m) => Math.abs(m.frame - first.frameAt(m.sharedMs)) <= limit);
  return kept.length >= 2 && kept.length < finite.length ? fitLine(kept, nominal) : first;
}

function fitLine(marks: readonly TimingMark[], nominal: number): FrameTimeMap | null {
  if (marks.length < 2) return null;
  const refMs = marks.reduce((sum, m) => sum + m.sharedMs, 0) / marks.length;
  const weight = 1 / (MARK_SD_MS * nominal) ** 2;
  // frame = a + b·(sharedMs − refMs), b ~ N(nominal, (nominal·RATE_PRIOR_PPM)²).
  const solution = solveLeastSquares(
    2,
    marks.map((m) => ({ x: [1, m.sharedMs - refMs], y: m.frame, weight })),
    [{ index: 1, mean: nominal, sd: nominal * RATE_PRIOR_PPM * 1e-6 }],
  );
  if (solution === null) return null;
  const [a, b] = solution.coef as [number, number];
  const residuals = marks.map((m) => m.frame - (a + b * (m.sharedMs - refMs)));
  const residualFrames = Math.sqrt(residuals.reduce((sum, r) => sum + r * r, 0) / residuals.length);
  return { frameAt: (sharedMs) => a + b * (sharedMs - refMs), framesPerMs: b, residualFrames };
}
