/**
 * A synthetic room for calibration tests and the synthetic benchmark: speakers' probes arriving
 * at known fractional frames with their own gains, echoes (delayed attenuated copies) and an
 * exponentially decaying reverberant noise tail, plus white noise, clipping and dropped frames.
 * Pure and deterministic (seeded).
 */
import { Rng } from './rng.js';

/** One speaker as the microphone hears it. */
export interface SimSource {
  readonly probe: Float32Array;
  /** Frame (fractional) at which the probe's first sample arrives by the direct path. */
  readonly arrivalFrame: number;
  /** Linear gain of the direct path. */
  readonly gain: number;
  /** Reflections: delay after the direct path (ms) and gain relative to it. */
  readonly echoes?: ReadonlyArray<{ readonly delayMs: number; readonly gain: number }>;
  /** Reverberant tail: noise correlated with the probe, decaying with this time constant (ms) from this relative level. */
  readonly tail?: { readonly decayMs: number; readonly level: number };
}

export interface SimRoomOptions {
  readonly rateHz: number;
  readonly frames: number;
  readonly sources: readonly SimSource[];
  /** RMS of white noise over the whole recording. */
  readonly noiseRms: number;
  readonly seed: number;
  /** Hard-clip the recording at ± this. */
  readonly clipAt?: number;
}

/** Gaussian from two uniforms (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Adds `gain`·signal delayed by a fractional `atFrame` into `out` (windowed-sinc interpolation, 32 taps a side). */
export function addDelayed(out: Float32Array, signal: Float32Array, atFrame: number, gain: number): void {
  const whole = Math.floor(atFrame);
  const frac = atFrame - whole;
  const half = 32;
  const taps = new Float64Array(2 * half);
  for (let j = 0; j < 2 * half; j++) {
    // out[whole + i + (j − half + 1)] gets signal[i] · h(j − half + 1 − frac)
    const u = j - half + 1 - frac;
    const x = Math.PI * u;
    const sinc = Math.abs(u) < 1e-12 ? 1 : Math.sin(x) / x;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / half) + 0.08 * Math.cos((2 * Math.PI * u) / half);
    taps[j] = sinc * w;
  }
  for (let i = 0; i < signal.length; i++) {
    const v = gain * signal[i]!;
    if (v === 0) continue;
    const base = whole + i - half + 1;
    for (let j = 0; j < 2 * half; j++) {
      const k = base + j;
      if (k >= 0 && k < out.length) out[k] += v * taps[j]!;
    }
  }
}

/** RMS of a signal. */
export function rms(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i]! ** 2;
  return Math.sqrt(sum / Math.max(1, signal.length));
}

/** The recording (see the module comment). */
export function simulateRecording(options: SimRoomOptions): Float32Array {
  const { rateHz, frames, sources, noiseRms, seed } = options;
  const rng = new Rng(seed);
  const out = new Float32Array(frames);
  for (const source of sources) {
    addDelayed(out, source.probe, source.arrivalFrame, source.gain);
    for (const echo of source.echoes ?? []) addDelayed(out, source.probe, source.arrivalFrame + (echo.delayMs / 1000) * rateHz, source.gain * echo.gain);
    if (source.tail !== undefined) {
      // Convolution of the probe with a decaying noise impulse response (sparse: one tap per 0.25 ms).
      const tail = new Float32Array(frames);
      const step = Math.max(1, Math.round(rateHz / 4000));
      const length = Math.round((5 * source.tail.decayMs * rateHz) / 1000);
      for (let d = step; d < length; d += step) {
        const g = source.tail.level * Math.exp(-(d / rateHz) * 1000 / source.tail.decayMs) * gaussian(rng) * Math.sqrt(step / (rateHz * source.tail.decayMs / 1000));
        addWhole(tail, source.probe, Math.round(source.arrivalFrame) + d, source.gain * g);
      }
      for (let i = 0; i < frames; i++) out[i] += tail[i]!;
    }
  }
  for (let i = 0; i < frames; i++) out[i] += noiseRms * gaussian(rng);
  if (options.clipAt !== undefined) for (let i = 0; i < frames; i++) out[i] = Math.max(-options.clipAt, Math.min(options.clipAt, out[i]!));
  return out;
}

function addWhole(out: Float32Array, signal: Float32Array, at: number, gain: number): void {
  for (let i = 0; i < signal.length; i++) {
    const k = at + i;
    if (k >= 0 && k < out.length) out[k] += gain * signal[i]!;
  }
}

/** The recording with `count` frames removed at `atFrame` (later samples arrive early, as after an unnoticed drop). */
export function dropFrames(recording: Float32Array, atFrame: number, count: number): Float32Array {
  const out = new Float32Array(recording.length);
  out.set(recording.subarray(0, atFrame));
  out.set(recording.subarray(atFrame + count), atFrame);
  return out;
}
