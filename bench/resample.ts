/**
 * Band-limited resampling of a reference signal to the recording rate, for the playout analysis.
 * Pure (no Node or browser APIs).
 *
 * Windowed sinc (Blackman, 24 zero crossings a side) with a symmetric kernel: zero group delay,
 * so output sample n is exactly the input at time n/toRate — the property the offset measurement
 * needs (amplitude ripple does not bias a correlation peak; delay would).
 */

const ZERO_CROSSINGS = 24;
const TABLE_STEPS = 512;

function kernelTable(cutoff: number): Float64Array {
  // h(u) for u = i / TABLE_STEPS input samples, 0 … halfWidth (+ 1 guard entry).
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const entries = Math.ceil(halfWidth * TABLE_STEPS) + 2;
  const table = new Float64Array(entries);
  for (let i = 0; i < entries; i++) {
    const u = i / TABLE_STEPS;
    if (u >= halfWidth) break;
    const x = Math.PI * cutoff * u;
    const sinc = x === 0 ? 1 : Math.sin(x) / x;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * u) / halfWidth);
    table[i] = cutoff * sinc * w;
  }
  return table;
}

/**
 * Resamples `input` (at `fromRateHz`) to `toRateHz`, producing `count` output samples starting at
 * output index `startFrame` (output sample n is the input at time n / toRateHz s). Samples outside
 * the input are zero. Returns a copy when the rates are equal.
 */
export function resample(input: Float32Array, fromRateHz: number, toRateHz: number, startFrame = 0, count?: number): Float32Array {
  const total = count ?? Math.max(0, Math.floor((input.length * toRateHz) / fromRateHz) - startFrame);
  const out = new Float32Array(total);
  if (fromRateHz === toRateHz) {
    for (let n = 0; n < total; n++) out[n] = input[startFrame + n] ?? 0;
    return out;
  }
  const ratio = fromRateHz / toRateHz;
  // Anti-alias when downsampling; keep a little margin below Nyquist either way.
  const cutoff = 0.97 * Math.min(1, 1 / ratio);
  const table = kernelTable(cutoff);
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const last = input.length - 1;
  for (let n = 0; n < total; n++) {
    const t = (startFrame + n) * ratio;
    const from = Math.max(0, Math.ceil(t - halfWidth));
    const to = Math.min(last, Math.floor(t + halfWidth));
    let sum = 0;
    for (let k = from; k <= to; k++) {
      const position = Math.abs(t - k) * TABLE_STEPS;
      const i = Math.floor(position);
      const frac = position - i;
      sum += input[k]! * (table[i]! + frac * (table[i + 1]! - table[i]!));
    }
    out[n] = sum;
  }
  return out;
}
