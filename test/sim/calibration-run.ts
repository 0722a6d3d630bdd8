/**
 * A whole calibration pass in simulation: speakers with true (unknown to the app) output delays,
 * trims and corrections play their slots; a listener whose audio clock runs `listenerPpm` fast
 * against shared time records them with an unknown input latency, white noise at a given SNR,
 * echoes and a reverberant tail; timing marks carry jitter. Returns what the app would analyse.
 * Pure and deterministic.
 */
import type { PassCapture } from '../../src/sync/calibration-analysis.js';
import { makeProbe, PROBE_RATE_HZ } from '../../src/sync/calibration-probe.js';
import type { ProbeSlot } from '../../src/sync/calibration-plan.js';
import type { CapturedBlock, TimingMark } from '../../src/sync/calibration-recording.js';
import { Rng } from './rng.js';
import { rms, simulateRecording, type SimSource } from './calibration-room.js';

/** One simulated speaker. */
export interface SimSpeaker {
  /** Its real output delay beyond what its engine compensates, ms (unknown to the app; it may move). */
  trueDelayMs: number;
  readonly trimMs: number;
  correctionMs: number;
  /** Direct-path gain at the microphone. */
  readonly gain: number;
  readonly echoes?: SimSource['echoes'];
  readonly tail?: SimSource['tail'];
}

export interface SimPassOptions {
  readonly speakers: readonly SimSpeaker[];
  readonly slots: readonly ProbeSlot[];
  /** SNR of the weakest speaker against white noise, dB. */
  readonly snrDb: number;
  readonly micLatencyMs: number;
  /** Listener audio clock rate against shared time, ppm. */
  readonly listenerPpm: number;
  /** Context frame at shared time 0 (arbitrary). */
  readonly frameAtZero: number;
  /** RMS jitter of the timing marks, ms. */
  readonly markJitterMs: number;
  readonly seed: number;
  /** Blocks lost from the capture (by index). */
  readonly lostBlocks?: ReadonlySet<number>;
  /** The capture's sample rate (default the probes' own, 48 kHz), Hz. */
  readonly rateHz?: number;
}

const BLOCK = 128;

/** Shared ms of the first recorded frame: 400 ms of pre-roll before the first slot. */
const PREROLL_MS = 400;

/**
 * `signal` at another rate for the simulated microphone, by direct band-limited interpolation
 * (Blackman-windowed sinc, 128 input samples a side, cut off at 0.45 of the lower rate): written
 * independently of the app's resampler, and longer, so the app's is checked against it.
 */
export function referenceResample(signal: Float32Array, fromHz: number, toHz: number): Float32Array {
  const half = 128;
  const fc = (0.45 * Math.min(fromHz, toHz)) / fromHz;
  const out = new Float32Array(Math.ceil((signal.length * toHz) / fromHz) + half);
  for (let j = 0; j < out.length; j++) {
    const t = (j * fromHz) / toHz;
    let sum = 0;
    for (let i = Math.max(0, Math.ceil(t - half)); i <= Math.min(signal.length - 1, Math.floor(t + half)); i++) {
      const u = i - t;
      const x = 2 * Math.PI * fc * u;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / half) + 0.08 * Math.cos((2 * Math.PI * u) / half);
      sum += signal[i]! * 2 * fc * (Math.abs(x) < 1e-12 ? 1 : Math.sin(x) / x) * w;
    }
    out[j] = sum;
  }
  return out;
}

/** The capture of one pass (see the module comment). */
export function simulatePass(options: SimPassOptions): PassCapture {
  const { speakers, slots, listenerPpm, frameAtZero } = options;
  const rate = options.rateHz ?? PROBE_RATE_HZ;
  const probeOf = (seed: number): Float32Array => (rate === PROBE_RATE_HZ ? makeProbe(seed) : referenceResample(makeProbe(seed), PROBE_RATE_HZ, rate));
  const perMs = (rate / 1000) * (1 + listenerPpm * 1e-6);
  const frameOf = (sharedMs: number): number => frameAtZero + sharedMs * perMs;
  const startShared = Math.min(...slots.map((s) => s.atSharedMs)) - PREROLL_MS;
  const endShared = Math.max(...slots.map((s) => s.atSharedMs)) + 1000;
  const firstFrame = Math.round(frameOf(startShared));
  const frames = Math.round(frameOf(endShared)) - firstFrame;
  const sources: SimSource[] = slots.map((slot, k) => {
    const s = speakers[k]!;
    const heardMs = slot.atSharedMs + s.trueDelayMs + s.trimMs + s.correctionMs + options.micLatencyMs;
    return { probe: probeOf(slot.seed), arrivalFrame: frameOf(heardMs) - firstFrame, gain: s.gain, ...(s.echoes ? { echoes: s.echoes } : {}), ...(s.tail ? { tail: s.tail } : {}) };
  });
  const weakest = Math.min(...speakers.map((s) => s.gain).filter((g) => g > 0));
  const noiseRms = weakest * rms(probeOf(slots[0]!.seed)) * 10 ** (-options.snrDb / 20);
  const samples = simulateRecording({ rateHz: rate, frames, sources, noiseRms, seed: options.seed });
  const blocks: CapturedBlock[] = [];
  for (let i = 0, at = 0; at + BLOCK <= frames; i++, at += BLOCK) {
    if (!options.lostBlocks?.has(i)) blocks.push({ frame: firstFrame + at, samples: samples.slice(at, at + BLOCK) });
  }
  const rng = new Rng(options.seed ^ 0x5eed);
  const marks: TimingMark[] = [];
  for (let sharedMs = startShared; sharedMs < endShared; sharedMs += 10) {
    marks.push({ frame: frameOf(sharedMs) + rng.normal(0, options.markJitterMs) * perMs, sharedMs });
  }
  return { rateHz: rate, blocks, marks };
}
