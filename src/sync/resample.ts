/**
 * Band-limited sample-rate conversion of a whole recording (windowed sinc), for calibration: a
 * microphone that captures at 44.1 kHz is searched for probes defined at 48 kHz. Pure.
 *
 * Output sample j sits at input time j · fromHz / toHz (both start at time 0), so a position
 * maps between the rates by the ratio alone. The kernel is a Blackman-windowed sinc,
 * {@link HALF_TAPS} input samples a side, cut off at 0.45 of the lower rate: below 18 kHz at 44.1
 * kHz, flat over the probes' band (0.8–10 kHz), and the same filter for every probe, so relative
 * arrival times keep sub-microsecond agreement. It is tabulated ({@link TABLE_STEPS} points per
 * input sample, linear interpolation between them).
 */

/** Input samples on each side of an output sample. */
export const HALF_TAPS = 32;
/** Table points per input sample. */
const TABLE_STEPS = 512;
/** Cut-off as a fraction of the lower rate. */
const CUTOFF = 0.45;

const tables = new Map<number, Float64Array>();

/** The kernel h(u), u in input samples ∈ [−HALF_TAPS, HALF_TAPS], for a cut-off `fc` (cycles per input sample). */
function kernelTable(fc: number): Float64Array {
  const cached = tables.get(fc);
  if (cached !== undefined) return cached;
  const table = new Float64Array(2 * HALF_TAPS * TABLE_STEPS + 2);
  for (let i = 0; i < table.length; i++) {
    const u = i / TABLE_STEPS - HALF_TAPS;
    const x = 2 * Math.PI * fc * u;
    const sinc = Math.abs(x) < 1e-12 ? 1 : Math.sin(x) / x;
    const phase = (Math.PI * (u + HALF_TAPS)) / HALF_TAPS;
    const taper = Math.abs(u) >= HALF_TAPS ? 0 : 0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
    table[i] = 2 * fc * sinc * taper;
  }
  tables.set(fc, table);
  return table;
}

/**
 * `samples` (at `fromHz`) at `toHz`: floor(length · toHz / fromHz) samples. Near the ends the
 * kernel runs past the input, which counts as silence. Rates must be positive and finite.
 */
export function resample(samples: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (!(fromHz > 0 && toHz > 0 && Number.isFinite(fromHz) && Number.isFinite(toHz))) throw new RangeError('sample rates must be positive');
  if (fromHz === toHz) return samples.slice();
  const step = fromHz / toHz;
  const fc = (CUTOFF * Math.min(fromHz, toHz)) / fromHz;
  const table = kernelTable(fc);
  const out = new Float32Array(Math.floor((samples.length * toHz) / fromHz));
  for (let j = 0; j < out.length; j++) {
    const t = j * step;
    const first = Math.max(0, Math.floor(t) - HALF_TAPS + 1);
    const last = Math.min(samples.length - 1, Math.floor(t) + HALF_TAPS);
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const p = (i - t + HALF_TAPS) * TABLE_STEPS;
      const k = Math.floor(p);
      const f = p - k;
      sum += samples[i]! * (table[k]! + f * (table[k + 1]! - table[k]!));
    }
    out[j] = sum;
  }
  return out;
}
