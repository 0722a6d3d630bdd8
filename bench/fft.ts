/**
 * Radix-2 complex FFT and FFT cross-correlation for the playout analysis. Pure (no Node or browser
 * APIs). Twiddles and bit-reversal tables are cached per size.
 */

interface FftTables {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly reversed: Uint32Array;
}

const tables = new Map<number, FftTables>();

function tablesFor(size: number): FftTables {
  let t = tables.get(size);
  if (t !== undefined) return t;
  if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 2, got ${size}`);
  const cos = new Float64Array(size / 2);
  const sin = new Float64Array(size / 2);
  for (let k = 0; k < size / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  const bits = Math.log2(size);
  const reversed = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    reversed[i] = r;
  }
  t = { cos, sin, reversed };
  tables.set(size, t);
  return t;
}

/** Smallest power of two ≥ n (and ≥ 2). */
export function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

/** In-place FFT of (re, im), length a power of two. `inverse` computes the unscaled inverse. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  const { cos, sin, reversed } = tablesFor(n);
  for (let i = 0; i < n; i++) {
    const j = reversed[i]!;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sign * sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

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
