/**
 * Percussion and texture voices of the demo-track synthesizer: pitch-swept sine drums (kick, tom),
 * filtered-noise drums (snare, hats, shaker) and a continuous noise bed. Every hit draws fresh
 * seeded noise, so no two hits are sample-identical. Engine-independent: see `exact-math.ts`.
 */
import { deriveSeed } from './deterministic-rng.js';
import { SINE_TABLE, decayPerSample, panGains, readTable, svfCoefficient } from './exact-math.js';
import { TAIL_TIME_CONSTANTS, type Voice } from './voice.js';

/** xorshift32 output (an int32) to [−1, 1). */
export const INT32_TO_BIPOLAR = 1 / 2147483648;

/** A non-zero xorshift32 state from a seed. */
export function noiseState(seed: number): number {
  return deriveSeed(seed, 0x6e6f6973) | 1;
}

/** Where and how loud a hit is. */
export interface Hit {
  readonly startFrame: number;
  /** Linear gain 0..1. */
  readonly velocity: number;
  /** −1 (left) … +1 (right). */
  readonly pan: number;
  /** Seed of this hit's noise. */
  readonly seed: number;
}

/** Sine whose frequency glides exponentially from `startHz` to `endHz`, plus a noise click. */
export interface SweptSinePatch {
  readonly startHz: number;
  readonly endHz: number;
  readonly sweepSec: number;
  readonly decaySec: number;
  readonly clickLevel: number;
}

/** Kick and tom voice. */
export class SweptSineVoice implements Voice {
  readonly startFrame: number;
  readonly endFrame: number;
  private readonly gainLeft: number;
  private readonly gainRight: number;
  private readonly endIncrement: number;
  private readonly sweepK: number;
  private readonly decayK: number;
  private readonly clickK: number;
  private increment: number;
  private phase = 0;
  private amplitude = 1;
  private click: number;
  private noise: number;

  constructor(patch: SweptSinePatch, hit: Hit, sampleRateHz: number) {
    this.startFrame = hit.startFrame;
    this.endFrame = hit.startFrame + Math.ceil(TAIL_TIME_CONSTANTS * patch.decaySec * sampleRateHz);
    const pan = panGains(hit.pan);
    this.gainLeft = hit.velocity * pan.left;
    this.gainRight = hit.velocity * pan.right;
    this.increment = patch.startHz / sampleRateHz;
    this.endIncrement = patch.endHz / sampleRateHz;
    this.sweepK = decayPerSample(patch.sweepSec, sampleRateHz);
    this.decayK = decayPerSample(patch.decaySec, sampleRateHz);
    this.clickK = decayPerSample(0.004, sampleRateHz);
    this.click = patch.clickLevel;
    this.noise = noiseState(hit.seed);
  }

  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean {
    const from = Math.max(0, this.startFrame - chunkStartFrame);
    const to = Math.min(frameCount, this.endFrame - chunkStartFrame);
    const { endIncrement, sweepK, decayK, clickK, gainLeft, gainRight } = this;
    let { increment, phase, amplitude, click, noise } = this;
    for (let i = from; i < to; i++) {
      increment = endIncrement + (increment - endIncrement) * sweepK;
      phase += increment;
      if (phase >= 1) phase -= 1;
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      amplitude *= decayK;
      click *= clickK;
      const sample = readTable(SINE_TABLE, phase) * amplitude + noise * INT32_TO_BIPOLAR * click;
      left[i] = (left[i] as number) + sample * gainLeft;
      right[i] = (right[i] as number) + sample * gainRight;
    }
    this.increment = increment;
    this.phase = phase;
    this.amplitude = amplitude;
    this.click = click;
    this.noise = noise;
    return this.endFrame > chunkStartFrame + frameCount;
  }
}

/** Noise through a state-variable filter (mix of its outputs) plus an optional decaying sine tone. */
export interface NoiseDrumPatch {
  readonly filterHz: number;
  /** SVF damping, 2 = very wide … 0.1 = very resonant. */
  readonly damping: number;
  readonly bandLevel: number;
  readonly highLevel: number;
  readonly attackSec: number;
  readonly decaySec: number;
  readonly toneHz: number;
  readonly toneLevel: number;
  readonly toneDecaySec: number;
}

/** Snare, hi-hat and shaker voice. */
export class NoiseDrumVoice implements Voice {
  readonly startFrame: number;
  readonly endFrame: number;
  private readonly gainLeft: number;
  private readonly gainRight: number;
  private readonly f: number;
  private readonly attackStep: number;
  private readonly decayK: number;
  private readonly toneIncrement: number;
  private readonly toneK: number;
  private noise: number;
  private low = 0;
  private band = 0;
  private attack = 0;
  private amplitude = 1;
  private tone: number;
  private tonePhase = 0;

  constructor(private readonly patch: NoiseDrumPatch, hit: Hit, sampleRateHz: number) {
    this.startFrame = hit.startFrame;
    this.endFrame = hit.startFrame + Math.ceil((patch.attackSec + TAIL_TIME_CONSTANTS * patch.decaySec) * sampleRateHz);
    const pan = panGains(hit.pan);
    this.gainLeft = hit.velocity * pan.left;
    this.gainRight = hit.velocity * pan.right;
    this.f = svfCoefficient(patch.filterHz, sampleRateHz);
    this.attackStep = 1 / Math.max(1, patch.attackSec * sampleRateHz);
    this.decayK = decayPerSample(patch.decaySec, sampleRateHz);
    this.toneIncrement = patch.toneHz / sampleRateHz;
    this.toneK = decayPerSample(patch.toneDecaySec, sampleRateHz);
    this.tone = patch.toneLevel;
    this.noise = noiseState(hit.seed);
  }

  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean {
    const from = Math.max(0, this.startFrame - chunkStartFrame);
    const to = Math.min(frameCount, this.endFrame - chunkStartFrame);
    const { damping, bandLevel, highLevel } = this.patch;
    const { f, attackStep, decayK, toneIncrement, toneK, gainLeft, gainRight } = this;
    let { noise, low, band, attack, amplitude, tone, tonePhase } = this;
    for (let i = from; i < to; i++) {
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      low += f * band;
      const high = noise * INT32_TO_BIPOLAR - low - damping * band;
      band += f * high;
      if (attack < 1) {
        attack = Math.min(1, attack + attackStep);
      } else {
        amplitude *= decayK;
      }
      let sample = (band * bandLevel + high * highLevel) * attack * amplitude;
      if (tone !== 0) {
        tonePhase += toneIncrement;
        if (tonePhase >= 1) tonePhase -= 1;
        tone *= toneK;
        sample += readTable(SINE_TABLE, tonePhase) * tone;
      }
      left[i] = (left[i] as number) + sample * gainLeft;
      right[i] = (right[i] as number) + sample * gainRight;
    }
    this.noise = noise;
    this.low = low;
    this.band = band;
    this.attack = attack;
    this.amplitude = amplitude;
    this.tone = tone;
    this.tonePhase = tonePhase;
    return this.endFrame > chunkStartFrame + frameCount;
  }
}
