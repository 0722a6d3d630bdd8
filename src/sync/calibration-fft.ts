/**
 * Radix-2 complex FFT and FFT cross-correlation for acoustic calibration. Pure (no browser APIs).
 * Twiddle and bit-reversal tables are cached per size (sizes are powers of two ≥ 2).
 */

interface FftTables {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly reversed: Uint32Array;
}

const tables = new Map<number, FftTables>();

function tablesFor(size: number): FftTables {
  const cached = tables.get(size);
  if (cached !== undefined) return cached;
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
  const made = { cos, sin, reversed };
  tables.set(size, made);
  return made;
}

/** Smallest power of two ≥ n (and ≥ 2). */
export function nextPowerOfTwo(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

/** In-place FFT of (re, im); length a power of two. `inverse` computes the unscaled inverse. */
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

/** A cross-correlation and its envelope (magnitude of the analytic correlation), per lag. */
export interface Correlation {
  /** r[τ] = Σᵢ needle[i]·haystack[τ+i]. */
  readonly real: Float64Array;
  /** |r[τ] + j·Hilbert(r)[τ]|: smooth, phase-independent; its peaks mark arrivals. */
  readonly envelope: Float64Array;
}

/**
 * Linear cross-correlation of `needle` over `haystack` for lags τ = 0 … haystack.length − needle.length
 * (empty when the haystack is shorter), with its envelope, via one FFT of size ≥ both lengths summed.
 *
 * `whitening` β in [0, 1] is the generalized cross-correlation's PHAT-β weight: each frequency of
 * the cross-spectrum is divided by |haystack spectrum|^β. β = 0 is the plain correlation; β → 1
 * flattens what the haystack holds besides the needle (music, hum: strong narrow bands) so that it
 * no longer dominates the correlation floor, and sharpens the peak under reverberation.
 */
export function crossCorrelate(haystack: Float32Array, needle: Float32Array, whitening = 0): Correlation {
  const lags = haystack.length - needle.length + 1;
  if (lags <= 0 || needle.length === 0) return { real: new Float64Array(0), envelope: new Float64Array(0) };
  const size = nextPowerOfTwo(haystack.length + needle.length);
  const hr = new Float64Array(size);
  const hi = new Float64Array(size);
  const nr = new Float64Array(size);
  const ni = new Float64Array(size);
  hr.set(haystack);
  nr.set(needle);
  fft(hr, hi);
  fft(nr, ni);
  let meanMagnitude = 0;
  if (whitening > 0) {
    for (let k = 0; k < size; k++) meanMagnitude += Math.hypot(hr[k]!, hi[k]!);
    meanMagnitude /= size;
  }
  const floor = meanMagnitude * 1e-3 + Number.MIN_VALUE;
  for (let k = 0; k < size; k++) {
    // H · conj(N) (weighted), made analytic: positive frequencies doubled, negative ones removed.
    const a = hr[k]!;
    const b = hi[k]!;
    const weight = whitening > 0 ? (meanMagnitude / Math.max(Math.hypot(a, b), floor)) ** whitening : 1;
    const scale = (k === 0 || k === size / 2 ? 1 : k < size / 2 ? 2 : 0) * weight;
    const c = nr[k]!;
    const d = ni[k]!;
    hr[k] = scale * (a * c + b * d);
    hi[k] = scale * (b * c - a * d);
  }
  fft(hr, hi, true);
  const real = new Float64Array(lags);
  const envelope = new Float64Array(lags);
  for (let t = 0; t < lags; t++) {
    real[t] = hr[t]! / size;
    envelope[t] = Math.hypot(hr[t]!, hi[t]!) / size;
  }
  return { real, envelope };
}
