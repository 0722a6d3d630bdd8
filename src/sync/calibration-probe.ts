/**
 * Calibration probes: short band-limited noise bursts, one distinct burst per speaker, generated
 * deterministically from a seed so that the speaker that plays it and the listener that searches
 * for it make bit-identical copies without sending samples.
 *
 * Why noise (not a sweep): every seed gives a different, nearly orthogonal code, so probes of
 * several speakers may overlap in the recording (a Bluetooth speaker 300 ms late lands on its
 * neighbour's slot) and each is still found only by its own copy; its autocorrelation has one
 * narrow peak (width ≈ 1/bandwidth ≈ 0.1 ms) and low sidelobes (≈ 1/√(2·B·T) ≈ −35 dB).
 * Band 800 Hz – 10 kHz: passed by phone and laptop speakers, Bluetooth codecs and cheap
 * microphones alike, and wide enough for sub-sample precision. Raised-cosine fades avoid clicks.
 *
 * All probes are defined at {@link PROBE_RATE_HZ}; players and listeners use that rate (browsers
 * resample an AudioBuffer of another rate, and the listener records at this rate).
 */
import { fft, nextPowerOfTwo } from './calibration-fft.js';
import type { Milliseconds } from './units.js';

/** Sample rate every probe is defined at, Hz. */
export const PROBE_RATE_HZ = 48_000;
/** Probe length, ms. */
export const PROBE_DURATION_MS: Milliseconds = 160;
/** Pass band, Hz. */
export const PROBE_LOW_HZ = 800;
export const PROBE_HIGH_HZ = 10_000;
/** Fade in/out length, ms. */
const FADE_MS: Milliseconds = 8;
/** Width of the raised-cosine band edges, Hz. */
const EDGE_HZ = 300;
/** Largest seed accepted (fits the wire's safe integers and the 32-bit generator). */
export const MAX_PROBE_SEED = 0xffff_ffff;

/** A small fast deterministic PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gain of the band-pass at `hz`: 1 inside, raised-cosine edges of {@link EDGE_HZ}, 0 outside. */
function bandGain(hz: number): number {
  if (hz < PROBE_LOW_HZ - EDGE_HZ || hz > PROBE_HIGH_HZ + EDGE_HZ) return 0;
  if (hz < PROBE_LOW_HZ) return 0.5 - 0.5 * Math.cos((Math.PI * (hz - PROBE_LOW_HZ + EDGE_HZ)) / EDGE_HZ);
  if (hz > PROBE_HIGH_HZ) return 0.5 + 0.5 * Math.cos((Math.PI * (hz - PROBE_HIGH_HZ)) / EDGE_HZ);
  return 1;
}

/** Recently made probes, by seed (at most {@link CACHE_SIZE}). */
const cache = new Map<number, Float32Array<ArrayBuffer>>();
const CACHE_SIZE = 32;

/**
 * The probe for `seed` (an integer 0 … {@link MAX_PROBE_SEED}) at {@link PROBE_RATE_HZ}: peak
 * amplitude exactly 1 (scale with the playback gain). The returned array is shared: do not modify.
 */
export function makeProbe(seed: number): Float32Array<ArrayBuffer> {
  const cached = cache.get(seed);
  if (cached !== undefined) return cached;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_PROBE_SEED) throw new RangeError(`probe seed must be an integer 0…${MAX_PROBE_SEED}`);
  const length = Math.round((PROBE_DURATION_MS / 1000) * PROBE_RATE_HZ);
  const size = nextPowerOfTwo(length);
  const random = seededRandom(seed);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < size; i++) re[i] = random() - 0.5;
  fft(re, im);
  for (let k = 0; k <= size / 2; k++) {
    const gain = bandGain((k * PROBE_RATE_HZ) / size);
    re[k] *= gain;
    im[k] *= gain;
    if (k > 0 && k < size / 2) {
      re[size - k] *= gain;
      im[size - k] *= gain;
    }
  }
  fft(re, im, true);
  const fade = Math.round((FADE_MS / 1000) * PROBE_RATE_HZ);
  const out = new Float32Array(length);
  let peak = 0;
  for (let i = 0; i < length; i++) {
    const edge = Math.min(i, length - 1 - i);
    const w = edge >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade);
    const v = re[i]! * w;
    out[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  for (let i = 0; i < length; i++) out[i] = out[i]! / peak;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(seed, out);
  return out;
}
