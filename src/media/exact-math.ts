/**
 * Engine-independent math for the demo-track synthesizer.
 *
 * Rule for every module under `src/media` that produces audio: use only exactly-rounded IEEE-754
 * operations (`+ - * /`, `Math.sqrt`, `Math.floor/round/trunc/abs/min/max`, `Math.imul`, integer
 * ops) and numeric literals of at most 17 significant digits. Never `Math.sin/cos/tan/exp/log/pow/
 * tanh/…` or `**`: their results differ between JS engines, and the demo track must be
 * bit-identical everywhere (its SHA-256 is its content id). Sines come from a polynomial-built
 * table below; exponentials are per-sample multiplications.
 */

/** One full turn in radians. */
export const TWO_PI = 6.283185307179586;

/**
 * Wavetable length (samples per cycle). Tables hold two extra guard samples (copies of the first two)
 * so a lookup at phase 1 (reachable through rounding of `x − floor(x)`) stays in range.
 */
export const TABLE_SIZE = 4096;

/** Correctly rounded 2^(k/12) for k = 0..11 (not computed with `Math.pow`, which is engine-specific). */
const SEMITONE_RATIOS = [
  1, 1.0594630943592953, 1.122462048309373, 1.189207115002721, 1.2599210498948732, 1.3348398541700344,
  1.4142135623730951, 1.4983070768766815, 1.5874010519681996, 1.681792830507429, 1.7817974362806785,
  1.887748625363387,
] as const;

const LN_2 = 0.6931471805599453;

/** Taylor coefficients (−1)^k / (2k+1)! for k = 0..10, built with exact divisions. */
const SINE_COEFFICIENTS: readonly number[] = (() => {
  const coefficients = [1];
  for (let k = 1; k <= 10; k++) {
    coefficients.push(-(coefficients[k - 1] as number) / (2 * k * (2 * k + 1)));
  }
  return coefficients;
})();

/** sin(2π·x) for x in [0, 0.25] by a degree-21 Taylor polynomial (error < 1e-17). */
function quarterSine(quarterTurns: number): number {
  const angle = TWO_PI * quarterTurns;
  const angleSquared = angle * angle;
  let sum = 0;
  for (let k = SINE_COEFFICIENTS.length - 1; k >= 0; k--) {
    sum = sum * angleSquared + (SINE_COEFFICIENTS[k] as number);
  }
  return sum * angle;
}

/** sin(2π·turns) for any finite `turns`, engine-independent (accuracy ~1e-15). */
export function sinTurns(turns: number): number {
  const wrapped = turns - Math.floor(turns);
  const quadrant = Math.floor(wrapped * 4);
  const within = wrapped - quadrant * 0.25;
  const magnitude = quadrant === 1 || quadrant === 3 ? quarterSine(0.25 - within) : quarterSine(within);
  return quadrant >= 2 ? -magnitude : magnitude;
}

/**
 * One cycle of Σ amplitudes[h−1]·sin(2π·h·t), sampled at TABLE_SIZE points plus a guard sample,
 * normalized to peak 1. Harmonic sines are read from an exact integer-indexed sine table.
 */
export function buildWavetable(harmonicAmplitudes: readonly number[]): Float64Array {
  const table = new Float64Array(TABLE_SIZE + 2);
  let peak = 0;
  for (let j = 0; j < TABLE_SIZE; j++) {
    let sum = 0;
    for (let h = 1; h <= harmonicAmplitudes.length; h++) {
      sum += (harmonicAmplitudes[h - 1] as number) * (SINE_TABLE[(h * j) % TABLE_SIZE] as number);
    }
    table[j] = sum;
    peak = Math.max(peak, Math.abs(sum));
  }
  for (let j = 0; j < TABLE_SIZE; j++) table[j] = (table[j] as number) / peak;
  return withGuards(table);
}

function withGuards(table: Float64Array): Float64Array {
  table[TABLE_SIZE] = table[0] as number;
  table[TABLE_SIZE + 1] = table[1] as number;
  return table;
}

/** sin(2π·j/TABLE_SIZE) for j = 0..TABLE_SIZE+1 (with guards). */
export const SINE_TABLE: Float64Array = (() => {
  const table = new Float64Array(TABLE_SIZE + 2);
  for (let j = 0; j < TABLE_SIZE; j++) table[j] = sinTurns(j / TABLE_SIZE);
  return withGuards(table);
})();

/** Linear-interpolated lookup of a guarded wavetable at `phase` turns, 0 ≤ phase ≤ 1. */
export function readTable(table: Float64Array, phase: number): number {
  const position = phase * TABLE_SIZE;
  const index = position | 0;
  const a = table[index] as number;
  return a + (position - index) * ((table[index + 1] as number) - a);
}

/** Frequency in Hz of an integer MIDI note (A4 = 69 = 440 Hz, equal temperament). */
export function midiToHz(midiNote: number): number {
  const fromA4 = Math.round(midiNote) - 69;
  const octaves = Math.floor(fromA4 / 12);
  let hz = 440 * (SEMITONE_RATIOS[fromA4 - 12 * octaves] as number);
  for (let o = 0; o < octaves; o++) hz *= 2;
  for (let o = 0; o > octaves; o--) hz *= 0.5;
  return hz;
}

/** 2^(cents/1200) by a degree-6 Taylor series; accurate to ~1e-12 for |cents| ≤ 200. */
export function centsToRatio(cents: number): number {
  const x = (cents * LN_2) / 1200;
  return 1 + x * (1 + (x / 2) * (1 + (x / 3) * (1 + (x / 4) * (1 + (x / 5) * (1 + x / 6)))));
}

/**
 * Per-sample multiplier for an exponential decay with time constant `timeConstantSec`
 * (first-order: 1 − 1/(τ·fs)); 0 if the constant is shorter than one sample.
 */
export function decayPerSample(timeConstantSec: number, sampleRateHz: number): number {
  return Math.max(0, 1 - 1 / (timeConstantSec * sampleRateHz));
}

/** Coefficient `a` of the one-pole low-pass y += a·(x − y) for a cutoff in Hz (0 < a < 1). */
export function onePoleCoefficient(cutoffHz: number, sampleRateHz: number): number {
  const w = (TWO_PI * Math.min(cutoffHz, 0.45 * sampleRateHz)) / sampleRateHz;
  return w / (1 + w);
}

/** Chamberlin state-variable filter frequency coefficient 2·sin(π·fc/fs), fc clamped below fs/6. */
export function svfCoefficient(cutoffHz: number, sampleRateHz: number): number {
  return 2 * sinTurns(Math.min(cutoffHz / sampleRateHz, 1 / 6) / 2);
}

/** Constant-power stereo gains for `pan` in [−1 (left), +1 (right)]. */
export function panGains(pan: number): { readonly left: number; readonly right: number } {
  const p = Math.min(1, Math.max(-1, pan));
  return { left: Math.sqrt((1 - p) / 2), right: Math.sqrt((1 + p) / 2) };
}
