/**
 * Playout analysis from rendered audio. Pure (no Node or browser APIs).
 *
 * Given the reference track and one recorded speaker (both mono, at the SAME rate: resample the
 * reference with `resample.ts` first), {@link trackPlayout} finds, for windows of the recording,
 * the track position being heard at the window's first frame by normalized cross-correlation:
 * a wide FFT search (the whole reference or a hinted range) for the first lock, then a narrow
 * search around the prediction (widened to ±2 s when that fails, e.g. after a seek or a long
 * dropout; the coarse search is rate-limited to once per 0.5 s of recording, and a coarse lock far
 * from the prediction counts only `relockAfterSec` after the last lock); the integer peak is refined to sub-sample precision by maximizing
 * the band-limited (windowed-sinc) interpolation of the correlation. Windows whose normalized peak
 * is below `minConfidence` (silence, another signal, glitches) get a null position, and so do
 * ambiguous ones: every lock, the narrow one too, must beat any peak more than 5 ms away, and any
 * local maximum more than 1 ms away, by 3 %.
 * The demo track is nearly periodic in places (a quarter of its 80 ms windows correlate above 0.8,
 * up to 0.95, with themselves 15–23 ms away, mostly ±20.3 ms); a 10-minute bench:sync counted
 * single windows 20–23 ms off, back in the next window, with no underrun, restart or change of the
 * app's estimate at those times.
 */
import { correlateWithSpectrum, needleSpectrum, nextPowerOfTwo } from './fft.js';
import { wrapPositionSec } from './playout-compare.js';
import type { Seconds } from '../src/sync/units.js';

/** One analysed window of a recorded speaker. */
export interface PlayoutWindow {
  /** First recording frame of the window; equal across speakers of one recording (same grid). */
  readonly recordingFrame: number;
  /** Track position heard at `recordingFrame`, s (sub-sample), or null when rejected. */
  readonly trackPositionSec: Seconds | null;
  /** Normalized correlation peak, −1 … 1 (0 for silence). */
  readonly confidence: number;
}

export interface TrackingOptions {
  /** Rate of both signals, Hz. */
  readonly rateHz: number;
  /** Correlation window, s (default 0.08). */
  readonly windowSec?: Seconds;
  /** Spacing of windows, s (default 0.5). */
  readonly hopSec?: Seconds;
  /** ± search around the predicted position once locked, s (default 0.03). */
  readonly searchSec?: Seconds;
  /** Minimum normalized peak to accept a window (default 0.5). */
  readonly minConfidence?: number;
  /** The recording plays the reference again and again, gaplessly: predictions wrap at its end. */
  readonly loops?: boolean;
  /**
   * A coarse lock farther than the medium range from the prediction is taken only this long (s)
   * after the last lock (default 3): right after a glitch the coarse search matched one of the demo
   * track's near-repeats 30–53 s away, and the tables showed those as errors.
   */
  readonly relockAfterSec?: Seconds;
  /** Track range searched for the first lock (and after a loss), s (default: the whole reference). */
  readonly coarseFromSec?: Seconds;
  readonly coarseToSec?: Seconds;
  /**
   * Where the recording is due to be at a frame (track position, s; NaN: unknown), e.g. from the
   * app's plan: the coarse search then looks only within `coarseRadiusSec` of it, and no lock
   * farther is taken. The demo track's near-repeats made a speaker's first lock land 25–44 s off,
   * and its channel never locked right again (bench:sync read 0.99-correlated audio as 47 s off).
   */
  readonly expectedPositionSec?: (recordingFrame: number) => Seconds;
  readonly coarseRadiusSec?: Seconds;
  /** Recording frames analysed (default: all). */
  readonly fromFrame?: number;
  readonly toFrame?: number;
}

/** Windows with an RMS below this are silence (≈ −80 dBFS). */
const SILENCE_RMS = 1e-4;
/** Half-width of the sinc interpolation of the correlation, samples. */
const INTERPOLATION_HALF_WIDTH = 16;
/** A lock must beat any peak farther than this (s) by the factor below. */
const EXCLUSION_SEC = 0.005;
/**
 * A local maximum of the correlation farther than this from the peak counts for the uniqueness
 * test too, s: a 10-minute bench:sync read one window of a tonal passage 2.9 ms off (its
 * neighbours agreed within 0.03 ms), the side lobe one period of a ~345 Hz tone away.
 */
const NEAR_EXCLUSION_SEC = 0.001;
const UNIQUENESS = 0.97;
const COARSE_BLOCK = 1 << 16;
/** After the narrow search fails: ± this around the prediction (s), before the coarse range. */
const MEDIUM_SEARCH_SEC = 2;
/** The coarse range is searched at most once per this much recording (s): it is the costly step. */
const COARSE_EVERY_SEC = 0.5;

/** Zero-padded copy of signal[from, from + length). */
function slice(signal: Float32Array, from: number, length: number): Float32Array {
  const out = new Float32Array(length);
  const start = Math.max(0, from);
  const end = Math.min(signal.length, from + length);
  if (end > start) out.set(signal.subarray(start, end), start - from);
  return out;
}

function energy(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i]! * signal[i]!;
  return sum;
}

/** Normalized correlation of the needle (energy `needleEnergy`) at each lag of `raw` over `haystack`. */
function normalize(raw: Float64Array, haystack: Float32Array, windowLength: number, needleEnergy: number): Float64Array {
  const ncc = new Float64Array(raw.length);
  let e = 0;
  for (let i = 0; i < windowLength; i++) e += haystack[i]! * haystack[i]!;
  for (let t = 0; t < raw.length; t++) {
    if (t > 0) e += haystack[t + windowLength - 1]! ** 2 - haystack[t - 1]! ** 2;
    const denominator = Math.sqrt(Math.max(e, 0) * needleEnergy);
    ncc[t] = denominator > 1e-12 ? raw[t]! / denominator : 0;
  }
  return ncc;
}

function blackmanSinc(u: number, halfWidth: number): number {
  if (Math.abs(u) >= halfWidth) return 0;
  const x = Math.PI * u;
  const sinc = x === 0 ? 1 : Math.sin(x) / x;
  return sinc * (0.42 + 0.5 * Math.cos((Math.PI * u) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * u) / halfWidth));
}

/** Sub-sample peak near integer lag `peak` of `raw`: maximum of its band-limited interpolation in (peak−1, peak+1). */
export function refinePeak(raw: Float64Array, peak: number): number {
  const h = INTERPOLATION_HALF_WIDTH;
  const at = (tau: number): number => {
    let sum = 0;
    for (let k = Math.max(0, Math.ceil(tau - h)); k <= Math.min(raw.length - 1, Math.floor(tau + h)); k++) sum += raw[k]! * blackmanSinc(tau - k, h);
    return sum;
  };
  // Golden-section search on the unimodal main lobe.
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = peak - 1;
  let b = peak + 1;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = at(c);
  let fd = at(d);
  for (let i = 0; i < 40; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = at(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = at(d);
    }
  }
  return (a + b) / 2;
}

interface Lock {
  /** Reference frame (fractional) heard at the window's first frame. */
  readonly position: number;
  readonly confidence: number;
}

/** Searches reference positions [from, to] for the needle; returns the refined best lag and its uniqueness. */
function search(reference: Float32Array, needle: Float32Array, needleEnergy: number, from: number, to: number, exclusion: number, nearExclusion: number): Lock & { runnerUp: number } {
  const w = needle.length;
  const size = Math.max(nextPowerOfTwo(2 * w), Math.min(COARSE_BLOCK, nextPowerOfTwo(to - from + w)));
  const step = size - w + 1;
  const spectrum = needleSpectrum(needle, size);
  let best = { position: NaN, confidence: -Infinity };
  const peaks: Array<{ lag: number; ncc: number }> = [];
  for (let start = from; start <= to; start += step) {
    const length = Math.min(size, to - start + w);
    const haystack = slice(reference, start, length);
    const raw = correlateWithSpectrum(haystack, spectrum, w);
    const ncc = normalize(raw, haystack, w, needleEnergy);
    let peak = -1;
    for (let t = 0; t < ncc.length; t++) if (peak < 0 || ncc[t]! > ncc[peak]!) peak = t;
    if (peak < 0) continue;
    // Keep each block's strongest peak outside the exclusion of its maximum, for the uniqueness
    // test, and its strongest local maximum beyond the near exclusion: a side lobe of tonal audio.
    let second = -Infinity;
    for (let t = 0; t < ncc.length; t++) {
      const away = Math.abs(t - peak);
      const localMax = t > 0 && t < ncc.length - 1 && ncc[t]! >= ncc[t - 1]! && ncc[t]! >= ncc[t + 1]!;
      if (away > exclusion || (away > nearExclusion && localMax)) second = Math.max(second, ncc[t]!);
    }
    peaks.push({ lag: start + peak, ncc: ncc[peak]! }, { lag: NaN, ncc: second });
    if (ncc[peak]! > best.confidence) best = { position: start + refinePeak(raw, peak), confidence: ncc[peak]! };
  }
  const runnerUp = Math.max(-Infinity, ...peaks.filter((p) => !(Math.abs(p.lag - best.position) <= nearExclusion)).map((p) => p.ncc));
  return { ...best, runnerUp };
}

/** Best match of a needle in a range of a signal: see {@link locateNeedle}. */
export interface NeedleMatch {
  /** Frame of `haystack` (fractional, sub-sample) where the needle's first frame matches best. */
  readonly frame: number;
  /** Normalized correlation there, −1 … 1. */
  readonly confidence: number;
  /** The best peak more than 5 ms away, or local maximum more than 1 ms away (−Infinity: none). */
  readonly runnerUp: number;
}

/**
 * Where `needle` matches `haystack` best with its first frame in [fromFrame, toFrame], by the
 * same normalized cross-correlation, sub-sample refinement and runner-up rule as the tracking.
 * Null for a silent needle.
 */
export function locateNeedle(haystack: Float32Array, needle: Float32Array, fromFrame: number, toFrame: number, rateHz: number): NeedleMatch | null {
  const needleEnergy = energy(needle);
  if (Math.sqrt(needleEnergy / Math.max(1, needle.length)) < SILENCE_RMS) return null;
  const found = search(haystack, needle, needleEnergy, Math.round(fromFrame), Math.round(toFrame), Math.round(EXCLUSION_SEC * rateHz), Math.round(NEAR_EXCLUSION_SEC * rateHz));
  return { frame: found.position, confidence: found.confidence, runnerUp: found.runnerUp };
}

/**
 * Heard track position per window of `recorded` (see the module comment). Windows start every
 * `hopSec` from `fromFrame`; each covers `windowSec`.
 */
export function trackPlayout(reference: Float32Array, recorded: Float32Array, options: TrackingOptions): PlayoutWindow[] {
  const { rateHz, windowSec = 0.08, hopSec = 0.5, searchSec = 0.03, minConfidence = 0.5, relockAfterSec = 3 } = options;
  const w = Math.round(windowSec * rateHz);
  const hop = Math.max(1, Math.round(hopSec * rateHz));
  const range = Math.round(searchSec * rateHz);
  const coarseFrom = Math.round((options.coarseFromSec ?? 0) * rateHz) - w;
  const coarseTo = Math.min(reference.length, Math.round((options.coarseToSec ?? reference.length / rateHz) * rateHz));
  const exclusion = Math.round(EXCLUSION_SEC * rateHz);
  const nearExclusion = Math.round(NEAR_EXCLUSION_SEC * rateHz);
  const windows: PlayoutWindow[] = [];
  // The last lock (kept across rejected windows) and the rate seen between the last two locks.
  let last: { frame: number; position: number } | null = null;
  let ratio = 1;
  let lastCoarseFrame = -Infinity;
  const medium = Math.round(MEDIUM_SEARCH_SEC * rateHz);
  const radius = Math.round((options.coarseRadiusSec ?? 3) * rateHz);
  const expectedAt = (frame: number): number => Math.round((options.expectedPositionSec?.(frame) ?? Number.NaN) * rateHz);
  /** The coarse search's reference range at a recording frame: around the expected position when known. */
  const coarseRange = (frame: number): [number, number] => {
    const expected = expectedAt(frame);
    if (!Number.isFinite(expected)) return [coarseFrom, coarseTo];
    return [Math.max(coarseFrom, expected - radius - w), Math.min(coarseTo, expected + radius)];
  };
  /**
   * Whether a lock lies within the radius of the expected position (always, when none is known):
   * a wrong lock moved each next prediction by up to the medium range, and a channel wandered 81–89 s
   * off for 254 s of a 10-minute run, its relocks near the expectation refused as too soon.
   */
  const nearExpected = (frame: number, position: number): boolean => {
    const expected = expectedAt(frame);
    if (!Number.isFinite(expected)) return true;
    // In frames: the wrap is unit-free.
    return Math.abs(wrapPositionSec(position - expected, options.loops === true ? reference.length : Number.POSITIVE_INFINITY)) <= radius;
  };
  const end = Math.min(recorded.length, options.toFrame ?? recorded.length) - w;
  for (let frame = options.fromFrame ?? 0; frame <= end; frame += hop) {
    const needle = recorded.subarray(frame, frame + w);
    const needleEnergy = energy(needle);
    if (Math.sqrt(needleEnergy / w) < SILENCE_RMS) {
      windows.push({ recordingFrame: frame, trackPositionSec: null, confidence: 0 });
      continue;
    }
    let lock: Lock | null = null;
    let best = 0;
    // Narrow around the prediction, then ±MEDIUM_SEARCH_SEC, then (rate-limited) the coarse range.
    const unwrapped = last === null ? null : last.position + (frame - last.frame) * ratio;
    const predicted = unwrapped !== null && options.loops === true && unwrapped >= reference.length ? unwrapped - reference.length : unwrapped;
    for (const radius of predicted === null ? [] : [range, medium]) {
      const from = Math.floor(predicted!) - radius;
      const found = search(reference, needle, needleEnergy, from, from + 2 * radius, exclusion, nearExclusion);
      best = Math.max(best, found.confidence);
      const atEdge = found.position - from < 1 || from + 2 * radius - found.position < 1;
      if (!atEdge && found.confidence >= minConfidence && found.runnerUp < UNIQUENESS * found.confidence) {
        lock = found;
        break;
      }
    }
    if (lock === null && frame - lastCoarseFrame >= COARSE_EVERY_SEC * rateHz) {
      lastCoarseFrame = frame;
      const [from, to] = coarseRange(frame);
      const found = search(reference, needle, needleEnergy, from, to, exclusion, nearExclusion);
      best = Math.max(best, found.confidence);
      const far = predicted !== null && Math.abs(found.position - predicted) > medium;
      const tooSoon = last !== null && frame - last.frame < relockAfterSec * rateHz;
      if (found.confidence >= minConfidence && found.runnerUp < UNIQUENESS * found.confidence && !(far && tooSoon)) lock = found;
    }
    if (lock !== null && !nearExpected(frame, lock.position)) lock = null;
    if (lock === null) {
      windows.push({ recordingFrame: frame, trackPositionSec: null, confidence: Math.max(0, best) });
      continue;
    }
    const step = last === null ? 0 : (lock.position - last.position) / (frame - last.frame);
    ratio = last !== null && Math.abs(step - 1) < 0.01 ? step : 1;
    last = { frame, position: lock.position };
    windows.push({ recordingFrame: frame, trackPositionSec: lock.position / rateHz, confidence: lock.confidence });
  }
  return windows;
}
