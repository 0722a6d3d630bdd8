/**
 * Finding one speaker's probe in the listener's recording: where (to a small fraction of a
 * sample) it arrived, and whether that answer can be trusted. Pure.
 *
 * 1. Cross-correlate the probe over the search range (lags of a recording segment), partly
 *    whitened ({@link WHITENING}), with the correlation's envelope.
 * 2. Detection: the envelope's maximum against the correlation floor (RMS of the envelope away
 *    from the arrival and its reverberant tail) — the peak-to-floor ratio `psr`.
 * 3. Direct path: reflections arrive after the direct sound and may be stronger, so the arrival
 *    is the EARLIEST envelope peak within {@link DIRECT_LOOKBACK_MS} before the maximum that
 *    reaches {@link DIRECT_FRACTION} of it.
 * 4. Sub-sample: the largest |correlation| sample within ±2 samples of that envelope peak,
 *    refined by a parabola through it and its neighbours (sign-aware: an inverted speaker works).
 * 5. Trust: a comparable peak far from the arrival (a repeated or confusable signal) is
 *    `ambiguous`; the probe's two halves, each located on its own (strongest peak), must agree:
 *    frames dropped or inserted inside the probe put them apart (`glitch`) — except a loss in the
 *    probe's first quarter or so, which looks exactly like a later start (the capture's frame
 *    stamps, calibration-recording.ts, are what catches those); clipped samples in the probe are
 *    `clipped`; a weak peak is `notHeard` or, over a loud floor, `tooNoisy`.
 */
import { crossCorrelate, type Correlation } from './calibration-fft.js';
import type { Milliseconds } from './units.js';

/**
 * PHAT-β weight of the correlation (calibration-fft.ts): music playing during calibration is
 * strongly coloured; whitening most of it keeps it from masking the probe.
 */
export const WHITENING = 0.5;

/** Outcome of locating one probe. */
export const ProbeVerdict = {
  ok: 'ok',
  notHeard: 'not-heard',
  tooNoisy: 'too-noisy',
  clipped: 'clipped',
  ambiguous: 'ambiguous',
  glitch: 'glitch',
} as const;
export type ProbeVerdict = (typeof ProbeVerdict)[keyof typeof ProbeVerdict];

/**
 * Minimum envelope peak / floor RMS for a detection (18 dB). Noise alone: the envelope is Rayleigh,
 * and its maximum over a 650 ms range (≈ 12 000 independent lags) stays below ≈ 3.2 × its RMS.
 */
export const MIN_PSR = 8;
/** The direct path may precede the strongest arrival by at most this, ms. */
export const DIRECT_LOOKBACK_MS: Milliseconds = 20;
/** …and must reach this fraction of it. */
export const DIRECT_FRACTION = 0.5;
/** The floor excludes this much before / after the arrival (main lobe; reverberant tail), ms. */
const EXCLUDE_BEFORE_MS: Milliseconds = 2;
const EXCLUDE_AFTER_MS: Milliseconds = 120;
/** A second peak at least this fraction of the arrival, outside the excluded zone, is ambiguous. */
export const AMBIGUITY_FRACTION = 0.7;
/** The probe halves must agree within this, ms. */
export const HALVES_TOLERANCE_MS: Milliseconds = 0.05;
/** Halves are searched within ± this of the arrival, ms. */
const HALVES_SEARCH_MS: Milliseconds = 25;
/** |sample| at or above this counts as clipped; this many clipped samples fail the probe. */
const CLIP_LEVEL = 0.99;
const MAX_CLIPPED = 3;
/** Below a detection, a floor louder than this RMS (−40 dBFS) makes it "too noisy" rather than "not heard". */
const NOISY_FLOOR_RMS = 0.01;

/** Where to look, in recording frames (index 0 of `recording` is frame 0 here). */
export interface LocateRequest {
  readonly recording: Float32Array;
  readonly probe: Float32Array;
  readonly rateHz: number;
  /** Frame at which the probe would start if every latency were as expected (fractional). */
  readonly expectedFrame: number;
  /** Search from expectedFrame − before … expectedFrame + after, ms. */
  readonly searchBeforeMs: Milliseconds;
  readonly searchAfterMs: Milliseconds;
  /** RMS of the recording's noise floor (measured before any probe). */
  readonly noiseRms: number;
}

/** Where the probe arrived and how sure we are. */
export interface ProbeLocation {
  readonly verdict: ProbeVerdict;
  /** Arrival frame of the probe's first sample (fractional); NaN when not found. */
  readonly arrivalFrame: number;
  /** arrivalFrame − expectedFrame, ms; NaN when not found. */
  readonly delayMs: Milliseconds;
  /** Envelope peak over the correlation floor. */
  readonly psr: number;
  /** Probe level in the recording over the noise floor, dB (−Infinity when not above it). */
  readonly snrDb: number;
  /** Level of the recording where the probe arrived, dBFS. */
  readonly levelDbfs: number;
}

interface Arrival {
  /** Fractional lag within the correlation. */
  readonly lag: number;
  readonly peak: number;
  readonly floor: number;
  /** Strongest envelope peak outside the excluded zone around the arrival. */
  readonly runnerUp: number;
}

/** Parabolic vertex offset (−0.5 … 0.5) through three samples around a maximum. */
function parabolicOffset(left: number, centre: number, right: number): number {
  const denominator = left - 2 * centre + right;
  if (denominator >= 0) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (left - right)) / denominator));
}

function isLocalMax(values: Float64Array, i: number): boolean {
  return (i === 0 || values[i]! >= values[i - 1]!) && (i === values.length - 1 || values[i]! >= values[i + 1]!);
}

/**
 * Arrival in a correlation (steps 2–4 of the module comment); with `direct` false, simply the
 * strongest peak.
 */
function findArrival(correlation: Correlation, rateHz: number, direct = true): Arrival | null {
  const { real, envelope } = correlation;
  if (envelope.length < 3) return null;
  let max = 0;
  for (let i = 1; i < envelope.length; i++) if (envelope[i]! > envelope[max]!) max = i;
  const perMs = rateHz / 1000;
  let first = max;
  for (let i = Math.max(0, Math.floor(max - DIRECT_LOOKBACK_MS * perMs)); direct && i < max - 0.3 * perMs; i++) {
    if (envelope[i]! >= DIRECT_FRACTION * envelope[max]! && isLocalMax(envelope, i)) {
      first = i;
      break;
    }
  }
  const from = first - EXCLUDE_BEFORE_MS * perMs;
  const to = first + EXCLUDE_AFTER_MS * perMs;
  let sum = 0;
  let count = 0;
  let runnerUp = 0;
  for (let i = 0; i < envelope.length; i++) {
    if (i >= from && i <= Math.max(to, max + EXCLUDE_BEFORE_MS * perMs)) continue;
    sum += envelope[i]! ** 2;
    count++;
    if (isLocalMax(envelope, i)) runnerUp = Math.max(runnerUp, envelope[i]!);
  }
  if (count < 16) {
    // A short search: the floor from everything but the main lobe.
    sum = 0;
    count = 0;
    for (let i = 0; i < envelope.length; i++) {
      if (Math.abs(i - first) <= EXCLUDE_BEFORE_MS * perMs) continue;
      sum += envelope[i]! ** 2;
      count++;
    }
  }
  const floor = count > 0 ? Math.sqrt(sum / count) : 0;
  let best = first;
  for (let i = Math.max(1, first - 2); i <= Math.min(real.length - 2, first + 2); i++) if (Math.abs(real[i]!) > Math.abs(real[best]!)) best = i;
  if (best <= 0 || best >= real.length - 1) return { lag: best, peak: envelope[first]!, floor, runnerUp };
  const sign = real[best]! < 0 ? -1 : 1;
  const lag = best + parabolicOffset(sign * real[best - 1]!, sign * real[best]!, sign * real[best + 1]!);
  return { lag, peak: envelope[first]!, floor, runnerUp };
}

/** Zero-padded copy of recording[from, from + length). */
function segment(recording: Float32Array, from: number, length: number): Float32Array {
  const out = new Float32Array(Math.max(0, length));
  const start = Math.max(0, from);
  const end = Math.min(recording.length, from + length);
  if (end > start) out.set(recording.subarray(start, end), start - from);
  return out;
}

const dbfs = (rms: number): number => (rms > 0 ? 20 * Math.log10(rms) : -Infinity);

/** Locates the probe (see the module comment). Never throws on odd input: it reports `notHeard`. */
export function locateProbe(request: LocateRequest): ProbeLocation {
  const { recording, probe, rateHz, expectedFrame, noiseRms } = request;
  const perMs = rateHz / 1000;
  const from = Math.floor(expectedFrame - request.searchBeforeMs * perMs);
  const lags = Math.ceil((request.searchBeforeMs + request.searchAfterMs) * perMs) + 1;
  const notFound = (verdict: ProbeVerdict, psr: number, levelDbfs: number): ProbeLocation =>
    ({ verdict, arrivalFrame: NaN, delayMs: NaN, psr, snrDb: -Infinity, levelDbfs });
  if (!Number.isFinite(expectedFrame) || probe.length === 0 || lags <= 0) return notFound(ProbeVerdict.notHeard, 0, -Infinity);
  const haystack = segment(recording, from, lags + probe.length - 1);
  const arrival = findArrival(crossCorrelate(haystack, probe, WHITENING), rateHz);
  const floorRms = Math.sqrt(energy(haystack) / Math.max(1, haystack.length));
  if (arrival === null || arrival.floor <= 0) return notFound(ProbeVerdict.notHeard, 0, dbfs(floorRms));
  const psr = arrival.peak / arrival.floor;
  const arrivalFrame = from + arrival.lag;
  const span = segment(recording, Math.round(arrivalFrame), probe.length);
  const spanRms = Math.sqrt(energy(span) / span.length);
  const levelDbfs = dbfs(spanRms);
  if (psr < MIN_PSR) return notFound(noiseRms > NOISY_FLOOR_RMS ? ProbeVerdict.tooNoisy : ProbeVerdict.notHeard, psr, levelDbfs);
  const signalPower = spanRms ** 2 - noiseRms ** 2;
  const snrDb = signalPower > 0 && noiseRms > 0 ? 10 * Math.log10(signalPower / noiseRms ** 2) : signalPower > 0 ? Infinity : -Infinity;
  const located = (verdict: ProbeVerdict): ProbeLocation =>
    ({ verdict, arrivalFrame, delayMs: (arrivalFrame - expectedFrame) / perMs, psr, snrDb, levelDbfs });
  let clipped = 0;
  for (let i = 0; i < span.length; i++) if (Math.abs(span[i]!) >= CLIP_LEVEL) clipped++;
  if (clipped >= MAX_CLIPPED) return located(ProbeVerdict.clipped);
  if (arrival.runnerUp >= AMBIGUITY_FRACTION * arrival.peak) return located(ProbeVerdict.ambiguous);
  return located(halvesAgree(recording, probe, arrivalFrame, perMs) ? ProbeVerdict.ok : ProbeVerdict.glitch);
}

/** Each half of the probe, located on its own near `arrivalFrame`, lands where the whole did. */
function halvesAgree(recording: Float32Array, probe: Float32Array, arrivalFrame: number, perMs: number): boolean {
  const half = Math.floor(probe.length / 2);
  const radius = Math.ceil(HALVES_SEARCH_MS * perMs);
  const parts = [
    { needle: probe.subarray(0, half), offset: 0 },
    { needle: probe.subarray(half), offset: half },
  ];
  const starts: number[] = [];
  for (const { needle, offset } of parts) {
    const from = Math.floor(arrivalFrame) + offset - radius;
    const found = findArrival(crossCorrelate(segment(recording, from, 2 * radius + needle.length), needle, WHITENING), perMs * 1000, false);
    if (found === null || found.floor <= 0 || found.peak / found.floor < MIN_PSR / 2) return false;
    starts.push(from + found.lag - offset);
  }
  return Math.abs(starts[0]! - starts[1]!) <= HALVES_TOLERANCE_MS * perMs;
}

function energy(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i]! * signal[i]!;
  return sum;
}
