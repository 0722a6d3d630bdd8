/**
 * Synthetic "recordings" with exactly known playout, for checking the playout analysis without
 * any audio stack. Pure (no Node or browser APIs); deterministic (seeded noise).
 */
import { fft, nextPowerOfTwo } from './fft.js';

/**
 * `signal` delayed by `delayFrames` (fractional allowed): out[n] = signal(n − delay), computed
 * exactly for band-limited signals by a linear phase shift in the frequency domain. The input is
 * zero-padded by `padFrames` on both sides before the (circular) FFT, so keep |delay| < padFrames.
 */
export function delayBandLimited(signal: Float32Array, delayFrames: number, padFrames = 4096): Float32Array {
  const size = nextPowerOfTwo(signal.length + 2 * padFrames);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(signal, padFrames);
  fft(re, im);
  for (let k = 0; k < size; k++) {
    const cycles = (k <= size / 2 ? k : k - size) / size;
    const phase = -2 * Math.PI * cycles * delayFrames;
    const c = Math.cos(phase);
    const s = Math.sin(phase);
    const a = re[k]!;
    const b = im[k]!;
    re[k] = a * c - b * s;
    im[k] = a * s + b * c;
  }
  if (size % 2 === 0) im[size / 2] = 0;
  fft(re, im, true);
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = re[i + padFrames]! / size;
  return out;
}

/** Deterministic uniform noise in [−1, 1) (xorshift32). */
export function seededNoise(length: number, seed: number): Float32Array {
  let x = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

/** RMS of a signal. */
export function rms(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i]! * signal[i]!;
  return Math.sqrt(sum / Math.max(1, signal.length));
}

/** Adds seeded noise to `signal` (in place) at `snrDb` below its RMS; returns it. */
export function addNoise(signal: Float32Array, snrDb: number, seed: number): Float32Array {
  const noise = seededNoise(signal.length, seed);
  const gain = (rms(signal) / rms(noise)) * 10 ** (-snrDb / 20);
  for (let i = 0; i < signal.length; i++) signal[i] = signal[i]! + gain * noise[i]!;
  return signal;
}

/**
 * A recording of `seconds` at `rateHz`: `leadSilenceSec` of silence, then `reference` from
 * `trackStartSec` delayed by `delayFrames`, scaled by `gain`: the heard track position at
 * recording frame f is (f − lead·rate − delay)/rate + trackStartSec (for f past the lead).
 */
export function syntheticRecording(
  reference: Float32Array,
  options: { rateHz: number; seconds: number; leadSilenceSec: number; trackStartSec: number; delayFrames: number; gain: number },
): Float32Array {
  const { rateHz, seconds, leadSilenceSec, trackStartSec, delayFrames, gain } = options;
  const lead = Math.round(leadSilenceSec * rateHz);
  const length = Math.round(seconds * rateHz);
  const pad = 4096;
  const from = Math.round(trackStartSec * rateHz);
  const segment = reference.slice(Math.max(0, from - pad), Math.min(reference.length, from + length - lead + pad));
  const delayed = delayBandLimited(segment, delayFrames, pad);
  const out = new Float32Array(length);
  const offset = from - Math.max(0, from - pad);
  for (let i = lead; i < length; i++) out[i] = gain * (delayed[i - lead + offset] ?? 0);
  return out;
}
