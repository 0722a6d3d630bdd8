/**
 * The demo track's continuous noise bed. Engine-independent: see the rule in `exact-math.ts`.
 */
import { deriveSeed } from './deterministic-rng.js';
import { INT32_TO_BIPOLAR, noiseState } from './drum-voices.js';
import { decayPerSample, svfCoefficient } from './exact-math.js';
import type { Voice } from './voice.js';

/** State-variable filter damping of the noise bed (wide band). */
const BED_DAMPING = 1.2;

/** Frames between random-walk updates of the noise bed's filter and level. */
const BED_CONTROL_FRAMES = 64;

/**
 * Continuous, decorrelated stereo "air": band-passed noise whose centre frequency and level wander
 * randomly, plus sparse vinyl-like crackles at random instants. Keeps every window aperiodic.
 */
export class NoiseBedVoice implements Voice {
  readonly startFrame = 0;
  private readonly sampleRateHz: number;
  private readonly crackleK: number;
  private readonly crackleLimit: number;
  private noiseLeft: number;
  private noiseRight: number;
  private noiseControl: number;
  private lowLeft = 0;
  private bandLeft = 0;
  private lowRight = 0;
  private bandRight = 0;
  private f = 0;
  private centreHz = 1500;
  private level = 1;
  private crackle = 0;
  private frame = 0;

  /**
   * @param endFrame absolute frame where the bed stops.
   * @param gain linear level of the noise.
   * @param crackleChancePerFrame probability (0..1) of a crackle at each frame.
   * @param crackleLevel linear peak level of a crackle.
   */
  constructor(
    seed: number,
    sampleRateHz: number,
    readonly endFrame: number,
    private readonly gain: number,
    crackleChancePerFrame: number,
    private readonly crackleLevel: number,
  ) {
    this.noiseLeft = noiseState(deriveSeed(seed, 1));
    this.noiseRight = noiseState(deriveSeed(seed, 2));
    this.noiseControl = noiseState(deriveSeed(seed, 3));
    this.sampleRateHz = sampleRateHz;
    this.crackleK = decayPerSample(0.0008, sampleRateHz);
    this.crackleLimit = crackleChancePerFrame * 4294967296 - 2147483648;
  }

  render(left: Float64Array, right: Float64Array, chunkStartFrame: number, frameCount: number): boolean {
    const to = Math.min(frameCount, this.endFrame - chunkStartFrame);
    const { crackleK, crackleLimit, crackleLevel } = this;
    let { noiseLeft, noiseRight, noiseControl, lowLeft, bandLeft, lowRight, bandRight, crackle, frame } = this;
    let f = this.f;
    let gain = this.gain * this.level;
    for (let i = 0; i < to; i++) {
      if (frame++ % BED_CONTROL_FRAMES === 0) {
        this.wander(noiseControl);
        f = this.f;
        gain = this.gain * this.level;
      }
      noiseLeft ^= noiseLeft << 13;
      noiseLeft ^= noiseLeft >>> 17;
      noiseLeft ^= noiseLeft << 5;
      noiseRight ^= noiseRight << 13;
      noiseRight ^= noiseRight >>> 17;
      noiseRight ^= noiseRight << 5;
      noiseControl ^= noiseControl << 13;
      noiseControl ^= noiseControl >>> 17;
      noiseControl ^= noiseControl << 5;
      lowLeft += f * bandLeft;
      bandLeft += f * (noiseLeft * INT32_TO_BIPOLAR - lowLeft - BED_DAMPING * bandLeft);
      lowRight += f * bandRight;
      bandRight += f * (noiseRight * INT32_TO_BIPOLAR - lowRight - BED_DAMPING * bandRight);
      if (noiseControl < crackleLimit) crackle = (noiseControl & 2) === 0 ? crackleLevel : -crackleLevel;
      crackle *= crackleK;
      left[i] = (left[i] as number) + (bandLeft * gain + crackle);
      right[i] = (right[i] as number) + (bandRight * gain + crackle);
    }
    this.noiseLeft = noiseLeft;
    this.noiseRight = noiseRight;
    this.noiseControl = noiseControl;
    this.lowLeft = lowLeft;
    this.bandLeft = bandLeft;
    this.lowRight = lowRight;
    this.bandRight = bandRight;
    this.crackle = crackle;
    this.frame = frame;
    return this.endFrame > chunkStartFrame + frameCount;
  }

  /** Random-walks the band centre (400 Hz … 5 kHz) and level (0.6 … 1.4) from the control noise. */
  private wander(random: number): void {
    const centreStep = (random & 0xffff) / 32767.5 - 1;
    const levelStep = ((random >>> 16) & 0xffff) / 32767.5 - 1;
    this.centreHz = Math.min(5000, Math.max(400, this.centreHz * (1 + 0.02 * centreStep)));
    this.level = Math.min(1.4, Math.max(0.6, this.level + 0.004 * levelStep));
    this.f = svfCoefficient(this.centreHz, this.sampleRateHz);
  }
}
