/**
 * FFT cross-correlation for the playout analysis: the needle's spectrum once, then one FFT per
 * haystack. The FFT itself is the pure core's (src/sync/calibration-fft.ts).
 */
import { fft, nextPowerOfTwo } from '../src/sync/calibration-fft.js';

export { fft, nextPowerOfTwo };

/** The spectrum of `needle` zero-padded to `size`, for repeated {@link correlateWithSpectrum} calls. */
export function needleSpectrum(needle: Float32Array, size: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(needle.subarray(0, Math.min(needle.length, size)));
  fft(re, im);
  return { re, im };
}

/**
 * Linear cross-correlation r[τ] = Σᵢ needle[i]·haystack[τ+i] for τ = 0 … haystack.length − needleLength,
 * via FFT of `size` ≥ haystack.length (the needle's spectrum from {@link needleSpectrum} at the same size).
 */
export function correlateWithSpectrum(
  haystack: Float32Array,
  needle: { re: Float64Array; im: Float64Array },
  needleLength: number,
): Float64Array {
  const size = needle.re.length;
  if (haystack.length > size) throw new RangeError('haystack longer than the FFT size');
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(haystack);
  fft(re, im);
  for (let k = 0; k < size; k++) {
    // H · conj(N)
    const hr = re[k]!;
    const hi = im[k]!;
    const nr = needle.re[k]!;
    const ni = needle.im[k]!;
    re[k] = hr * nr + hi * ni;
    im[k] = hi * nr - hr * ni;
  }
  fft(re, im, true);
  const lags = Math.max(0, haystack.length - needleLength + 1);
  const out = new Float64Array(lags);
  for (let t = 0; t < lags; t++) out[t] = re[t]! / size;
  return out;
}
