/**
 * Seeded pseudo-random numbers for the built-in demo track.
 *
 * Bit-identical across JS engines: only 32-bit integer operations (`Math.imul`, shifts, xor)
 * and exactly-rounded IEEE-754 arithmetic are used, never `Math.random` or transcendental
 * `Math` functions (`sin`, `cos`, `exp`, `log`, `pow`, `tanh`, `**`), whose results vary by engine.
 */

/** 2^-32: maps an unsigned 32-bit integer to [0, 1) exactly. */
const UINT32_TO_UNIT = 1 / 4294967296;

/** √3, so that the Irwin–Hall sum of 4 uniforms has unit standard deviation. */
const SQRT_3 = 1.7320508075688772;

/**
 * Mixes a seed with a stream id into a well-spread unsigned 32-bit seed (murmur3 finalizer),
 * so each part of the track draws from an independent stream: changing how many numbers one
 * part consumes never shifts another part.
 */
export function deriveSeed(seed: number, streamId: number): number {
  let h = (seed ^ Math.imul(streamId + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: a small, fast, seeded generator; the same seed always yields the same sequence. */
export class DeterministicRng {
  private state: number;

  /** @param seed any number; only its low 32 bits matter. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An independent generator for a sub-stream (see {@link deriveSeed}). Does not advance this one. */
  fork(streamId: number): DeterministicRng {
    return new DeterministicRng(deriveSeed(this.state, streamId));
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() * UINT32_TO_UNIT;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer uniform in [min, max] inclusive (both integers). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p` (0..1). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Approximately normal (Irwin–Hall of 4 uniforms): mean 0, standard deviation `sd`, |value| < 3.47·sd. */
  gaussianish(sd: number): number {
    const sum = this.next() + this.next() + this.next() + this.next();
    return (sum - 2) * SQRT_3 * sd;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}
