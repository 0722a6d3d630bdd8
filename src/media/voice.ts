/**
 * The voice contract and the amplitude envelope shared by the demo-track synthesizer's voices.
 * Engine-independent: see the rule in `exact-math.ts`.
 */
import { decayPerSample } from './exact-math.js';

/** A sounding event. Voices are rendered chunk after chunk, in order, without gaps. */
export interface Voice {
  /** First absolute frame (sample index per channel) the voice writes. */
  readonly startFrame: number;
  /** First absolute frame from which it is silent for good (what `render` returns false after). */
  readonly endFrame: number;
  /**
   * Adds the voice into `left`/`right` (chunk-relative, `frameCount` long) for the absolute frames
   * [chunkStartFrame, chunkStartFrame + frameCount). Returns false once it is silent for good.
   */
  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean;
}

/** Amplitude envelope: linear attack, exponential decay toward sustain, exponential release. */
export interface EnvelopeShape {
  readonly attackSec: number;
  /** Time constant of the decay toward `sustainLevel`. */
  readonly decaySec: number;
  /** Level 0..1 held until the note ends. */
  readonly sustainLevel: number;
  /** Time constant of the release after the note ends. */
  readonly releaseSec: number;
}

/**
 * Tail length in time constants after which a decaying voice is cut: e^-6 ≈ −52 dB below the note's
 * peak, i.e. a few LSB of 16-bit audio for the demo's note levels.
 */
export const TAIL_TIME_CONSTANTS = 6;

/** Shared scratch for envelope levels; voices render one at a time, so one buffer suffices. */
let envelopeScratch = new Float64Array(4096);

/** Amplitude envelope generator; state carries over between successive {@link Envelope.fill} calls. */
export class Envelope {
  /** Frames from note start until the envelope is silent. */
  readonly lengthFrames: number;
  private level = 0;
  private frame = 0;
  private attacking = true;
  private readonly attackStep: number;
  private readonly decayK: number;
  private readonly releaseK: number;
  private readonly sustain: number;
  private readonly noteOffFrame: number;

  constructor(shape: EnvelopeShape, noteDurationSec: number, sampleRateHz: number) {
    this.attackStep = 1 / Math.max(1, shape.attackSec * sampleRateHz);
    this.decayK = decayPerSample(shape.decaySec, sampleRateHz);
    this.releaseK = decayPerSample(shape.releaseSec, sampleRateHz);
    this.sustain = shape.sustainLevel;
    this.noteOffFrame = Math.max(1, Math.round(noteDurationSec * sampleRateHz));
    const releasedFrames = this.noteOffFrame + Math.ceil(TAIL_TIME_CONSTANTS * shape.releaseSec * sampleRateHz);
    const decayedFrames = Math.ceil((shape.attackSec + TAIL_TIME_CONSTANTS * shape.decaySec) * sampleRateHz);
    this.lengthFrames = shape.sustainLevel === 0 ? Math.min(releasedFrames, decayedFrames) : releasedFrames;
  }

  /**
   * Levels of the next `frameCount` frames, in a shared scratch buffer that is only valid until the
   * next call on any envelope.
   */
  fill(frameCount: number): Float64Array {
    if (envelopeScratch.length < frameCount) envelopeScratch = new Float64Array(frameCount);
    const out = envelopeScratch;
    const { attackStep, decayK, releaseK, sustain, noteOffFrame } = this;
    let { level, frame, attacking } = this;
    for (let i = 0; i < frameCount; i++) {
      if (frame++ >= noteOffFrame) {
        level *= releaseK;
      } else if (attacking) {
        level += attackStep;
        if (level >= 1) {
          level = 1;
          attacking = false;
        }
      } else {
        level = sustain + (level - sustain) * decayK;
      }
      out[i] = level;
    }
    this.level = level;
    this.frame = frame;
    this.attacking = attacking;
    return out;
  }
}
